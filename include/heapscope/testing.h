// heapscope: GoogleTest helpers on top of heapscope.h, for tests run under `heapscope run`:
// "nothing leaked in this scope" and "this scope's heap peak stayed under N bytes".
//
//   TEST(Cache, FreesEverything) {
//       heapscope::testing::LeakScope leaks;
//       { Cache cache; cache.fill(1000); }
//       EXPECT_TRUE(leaks.noNewLeaks());
//   }
//   TEST(Parser, StaysSmall) {
//       heapscope::testing::PeakScope peak;
//       parse(bigInput);
//       EXPECT_TRUE(peak.under(1 << 20));
//   }
//
// The API is looked up at run time, so a test binary needs no link to libheapscope. Without
// heapscope (active() is false) every check passes; a test that must not pass unchecked can
// GTEST_SKIP() when !active().
#pragma once

#include <dlfcn.h>

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "heapscope/heapscope.h"

namespace heapscope::testing {

namespace detail {

template <typename Fn>
Fn lookup(const char* name) {
    return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

inline bool leakTotals(heapscope_leak_totals& out) {
    static const auto fn = lookup<int (*)(heapscope_leak_totals*)>("heapscope_leak_check");
    return fn != nullptr && fn(&out) == 0;
}

inline bool stats(heapscope_stats& out) {
    static const auto fn = lookup<int (*)(heapscope_stats*)>("heapscope_get_stats");
    return fn != nullptr && fn(&out) == 0;
}

inline std::uint64_t lostBytes(const heapscope_leak_totals& t) {
    return t.definitely_lost_bytes + t.indirectly_lost_bytes;
}

inline std::uint64_t lostBlocks(const heapscope_leak_totals& t) {
    return t.definitely_lost_blocks + t.indirectly_lost_blocks;
}

} // namespace detail

// True while the test process is recorded by heapscope.
inline bool active() {
    static const auto fn = detail::lookup<int (*)(void)>("heapscope_is_active");
    return fn != nullptr && fn() != 0;
}

// Leaks (definitely or indirectly lost, as memcheck defines them) that appeared since the
// scope began. Each check scans the heap with the other threads stopped: about a second per
// GiB of heap, fine in a test.
class LeakScope {
public:
    LeakScope() { m_checked = detail::leakTotals(m_before); }

    // Bytes and blocks lost now minus those lost when the scope began.
    ::testing::AssertionResult noNewLeaks() const {
        heapscope_leak_totals now{};
        if (!m_checked || !detail::leakTotals(now)) return ::testing::AssertionSuccess();
        const std::uint64_t before = detail::lostBytes(m_before);
        const std::uint64_t after = detail::lostBytes(now);
        if (after <= before) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure()
               << (after - before) << " bytes in "
               << (detail::lostBlocks(now) - detail::lostBlocks(m_before))
               << " blocks leaked in this scope (`heapscope leaks TRACE` shows where)";
    }

private:
    heapscope_leak_totals m_before{};
    bool m_checked = false;
};

// The highest live heap, above what was live when the scope began, reached since then.
class PeakScope {
public:
    PeakScope() {
        static const auto reset = detail::lookup<int (*)(void)>("heapscope_reset_peak");
        heapscope_stats s{};
        m_active = reset != nullptr && reset() == 0 && detail::stats(s);
        m_base = s.live_bytes;
    }

    // 0 when heapscope is not active.
    std::uint64_t peakBytes() const {
        heapscope_stats s{};
        if (!m_active || !detail::stats(s) || s.peak_bytes < m_base) return 0;
        return s.peak_bytes - m_base;
    }

    ::testing::AssertionResult under(std::uint64_t limitBytes) const {
        const std::uint64_t peak = peakBytes();
        if (peak < limitBytes) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure()
               << "the heap peaked at " << peak << " bytes above the scope's start, limit "
               << limitBytes;
    }

private:
    std::uint64_t m_base = 0;
    bool m_active = false;
};

} // namespace heapscope::testing
