// Fuzz target: claim expressions, parsed and evaluated on a small history (with a sample not measured).

#include "scenario/claims.h"

#include <cmath>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace porthole;
    const QString expression = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const scenario::ClaimParse parsed = scenario::parseClaim(expression);
    if (!parsed.claim)
        return 0;
    static const scenario::MetricsHistory history = [] {
        scenario::MetricsHistory h;
        for (int i = 0; i < 20; ++i) {
            scenario::MetricsSample s;
            s.timeS = i * 0.05;
            for (std::size_t m = 0; m < trace::MetricCount; ++m)
                s.values[m] = i == 7 ? std::nan("") : double(i * int(m % 5));
            h << s;
        }
        return h;
    }();
    (void)scenario::evaluateClaim(QStringLiteral("fuzz"), *parsed.claim, expression, history);
    (void)scenario::evaluateClaim(QStringLiteral("fuzz"), *parsed.claim, expression, {});
    return 0;
}
