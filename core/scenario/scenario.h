#pragma once

#include "runtime/runtimeoptions.h"
#include "workload/trafficoptions.h"

#include <QString>
#include <QStringList>
#include <QList>

namespace porthole::scenario {

struct Claim {
    QString name;
    QString expression; // e.g. "max(extra_threads) == 0"; see claims.h
    // Who makes it true (FACTS §8): "kernel" (io_uring, /proc: what the kernel did), "porthole" (IOCP's contract
    // as Porthole implements it over io_uring on Linux: LIFO wake, the concurrency value; the kernel's on Windows)
    // or "runtime-model" (Porthole's model of a .NET thread pool, checked against the real runtimes).
    QString basis = QStringLiteral("runtime-model");
};

inline QStringList claimBases() { return {QStringLiteral("kernel"), QStringLiteral("porthole"), QStringLiteral("runtime-model")}; }

struct Question {
    QString prompt;
    QStringList choices;
    int answer = 0;      // index into choices: what the run will show
    QString explanation; // why, in the words of FACTS.md
};

struct WalkthroughStep {
    QString narration;  // rich text
    QString pauseWhen;  // a claim-style condition; empty = none
    Question question;  // prompt empty = no question
    QString highlight;  // sockets, queue, threads, callstacks, timeline, claims
    QStringList sources; // where the step's facts come from (URLs or repository paths)
};

struct Posts {
    int count = 0;
    quint64 key = 0xBEEF;
    quint32 bytes = 0;
    int intervalMs = 100;
    int threads = 0; // > 0: a flood, that many threads posting back to back until the run ends (count, interval unused)
};

struct Timers {
    int count = 0;
    int delayMs = 100;
};

// SetMinThreads / SetMaxThreads at a moment of the run (its own time).
struct LimitChange {
    double atS = 0;
    runtime::ThreadLimits limits;
};

// One lesson: the setup, the claims it proves, and the walkthrough.
struct Scenario {
    QString id;
    QString title;
    QString summary;
    QString sourcePath; // where it was loaded from (":/scenarios/..." for built-ins)
    runtime::RuntimeOptions runtime;
    // "dotnet" or "mono": the workload runs on that real .NET runtime, observed from outside
    // ("runtime": "dotnet-real" or "mono-real"); runtime.kind is then the model it is compared with (dotnet-linux).
    QString realRuntime;
    int sockets = 100;
    workload::TrafficOptions traffic;
    bool trafficEnabled = true;
    Timers timers;
    Posts posts;
    int fsyncEveryMs = 0; // > 0: fsync a scratch file this often (io_uring runs fsync on an io-wq thread)
    double durationS = 5;
    QList<LimitChange> limitChanges; // threads.changes, in the order given
    QList<Claim> claims;
    QList<WalkthroughStep> walkthrough;
    QStringList sources; // where the lesson's facts come from: URLs, or "owner/repo: path" in a repository
};

// A built-in lesson must say where its facts come from: the lesson, and every step with a question.
QStringList missingSources(const Scenario &scenario);

} // namespace porthole::scenario
