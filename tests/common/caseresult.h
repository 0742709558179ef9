#pragma once

// The outcome of a test case shared between the Linux Qt Test suites and the plain Windows
// executables (exit 0 pass, 1 fail, 77 skip: liburing's convention).

#include <string>
#include <utility>

namespace porthole::testing {

struct CaseResult {
    enum Outcome { Pass, Fail, Skip } outcome = Pass;
    std::string why;
};

inline CaseResult fail(std::string why) { return {CaseResult::Fail, std::move(why)}; }
inline CaseResult skip(std::string why) { return {CaseResult::Skip, std::move(why)}; }

// For the Qt Test side: a shared case as a Qt Test verdict.
#define PORTHOLE_VERIFY_CASE(expression)                                                                                           \
    do {                                                                                                                           \
        const ::porthole::testing::CaseResult result_ = (expression);                                                             \
        if (result_.outcome == ::porthole::testing::CaseResult::Skip)                                                              \
            QSKIP(result_.why.c_str());                                                                                            \
        QVERIFY2(result_.outcome == ::porthole::testing::CaseResult::Pass, result_.why.c_str());                                   \
    } while (false)

} // namespace porthole::testing
