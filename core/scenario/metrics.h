#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <cstdint>
#include <optional>

namespace porthole::scenario {

// One sample of a live run, taken every sampling period.
struct MetricsSample {
    double timeS = 0;
    double threads = 0;        // every thread of the process (/proc/self/task)
    double extraThreads = 0;   // threads minus those before the runtime started
    double ioThreads = 0;      // I/O completion threads (legacy pool)
    double workers = 0;
    double pollers = 0;
    double eventLoops = 0;     // epoll thread, raw io_uring loop
    double socketThreads = 0;  // thread per socket
    double timerThreads = 0;
    double ioWorkers = 0;      // the kernel's iou-wrk threads in this process
    double running = 0;        // threads the port counts as running (the concurrency value caps it)
    double busiestThreadShare = 0; // the largest share of all callbacks that one thread ran (0..1)
    double pendingOps = 0;
    double cqReady = 0;
    double portQueue = 0;
    double workerQueue = 0;
    double callbacks = 0;
    double completionsPerS = 0;
    double posts = 0;
    double timersFired = 0;
    double droppedEvents = 0;
    // Final counters, kept in every sample so claims can read the last one.
    std::array<double, 9> callbacksByRole{};
    double callbacksUnderDispatch = 0;
    double callbacksUnderPerformIo = 0;
};

using MetricsHistory = QList<MetricsSample>;

QStringList metricNames();
std::optional<double> metricValue(const MetricsSample &sample, const QString &name);

// One row per sample: time_s, then every metric by the names claims use. Empty string on success.
QString metricsToCsv(const MetricsHistory &history);
QString saveMetricsCsv(const MetricsHistory &history, const QString &path);

} // namespace porthole::scenario
