#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace porthole::ui {

// How long a frame may spend folding new events, so that the whole frame stays within TargetMs.
// A frame is the GUI thread's work from one tick of the frame timer to the next: the fold, then the
// views' refresh, replot and painting ("the rest"). The rest is measured, not guessed: as the CPU
// time the GUI thread spent between the end of a fold and the next tick. The fold gets what the
// largest rest of the last frames leaves of TargetMs, between MinFoldMs (a flood always moves) and
// MaxFoldMs.
class FramePacer
{
public:
    // Of the 16 ms frame; the rest is slack for waiting on a core. At 14, 1-5 frames of ~120 in live_ingest
    // waited past 16 ms on two busy cores; at 12, none.
    static constexpr double TargetMs = 12;
    static constexpr double MinFoldMs = 2;
    static constexpr double MaxFoldMs = 8;
    static constexpr std::size_t Remembered = 8; // frames whose rest the budget looks at

    static std::int64_t threadCpuNs(); // the calling thread's CPU time

    void frameStarted(std::int64_t cpuNs); // the frame timer ticked
    void foldEnded(std::int64_t cpuNs);
    double foldBudgetMs() const { return m_budgetMs; }

private:
    bool m_folded = false; // a fold ended and no tick came since
    std::int64_t m_foldEndCpuNs = 0;
    std::array<double, Remembered> m_restMs{};
    std::size_t m_next = 0;
    double m_budgetMs = MaxFoldMs;
};

} // namespace porthole::ui
