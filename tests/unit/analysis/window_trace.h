// tests (analysis): a generated trace for the window and index tests, many frames of alloc/free
// churn over a bounded live set on a few stacks and threads, and a comparison of two Models.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/model.h"
#include "analysis/trace_index_builder.h"
#include "trace_file.h"

namespace heapscope::analysis::test {

class GeneratedTrace : public TraceFile {
public:
    // 200k events in frames of about 2000 records; a live set of up to 512 blocks.
    // The pid in the name keeps test binaries of several build trees apart in the shared /tmp.
    explicit GeneratedTrace(const std::string& name)
        : TraceFile(name + "_" + std::to_string(::getpid())) {
        constexpr std::uint32_t kStacks = 40;
        constexpr std::uint64_t kSlots = 512;
        stacks(kStacks);
        for (std::uint32_t t = 0; t < 4; ++t)
            *this << format::ThreadRecord{ThreadIndex{t}, 1, 100 + t, "worker"};
        std::vector<std::uint64_t> slots(kSlots, 0); // address live in each slot, or 0
        std::uint64_t state = 12345;
        const auto random = [&state] {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            return state >> 33;
        };
        for (std::uint64_t i = 0; i < 200000; ++i) {
            m_time += 1 + random() % 1000;
            const std::uint64_t slot = random() % kSlots;
            const auto thread = static_cast<std::uint32_t>(random() % 4);
            if (slots[slot] != 0) {
                *this << release(m_time, slots[slot], thread);
                slots[slot] = 0;
            } else {
                slots[slot] = 0x100000 + 64 * (i % 100000);
                // A bias towards the first slots makes the live set swell and shrink.
                *this << alloc(m_time, slots[slot], 16 + random() % 4096,
                               static_cast<std::uint32_t>(1 + random() % kStacks), thread);
            }
            // RSS samples, some frames without any, so a window must look back for one.
            if (i % 3001 == 0) *this << format::RssRecord{m_time, 4096 * (1000 + i % 7919)};
            if (i % 2000 == 1999) flush();
            // A late thread and stack node, so a window must read structural frames.
            if (i == 150000) {
                *this << format::ThreadRecord{ThreadIndex{4}, m_time, 104, "late"};
                *this << format::StackNodeRecord{StackId{kStacks + 1}, StackId{1}, 0x99};
            }
            if (i > 150000 && i % 97 == 0) {
                const std::uint64_t address = 0x900000 + 64 * i;
                *this << alloc(++m_time, address, 77, kStacks + 1, 4);
            }
        }
        *this << end(++m_time);
        close();
    }
    ~GeneratedTrace() { std::filesystem::remove(indexPathFor(path())); }

    std::uint64_t lastTimeNs() const { return m_time; }

private:
    std::uint64_t m_time = 0;
};

inline void expectSameFigures(const Model& a, const Model& b) {
    EXPECT_EQ(a.summary.allocations, b.summary.allocations);
    EXPECT_EQ(a.summary.frees, b.summary.frees);
    EXPECT_EQ(a.summary.bytesAllocated, b.summary.bytesAllocated);
    EXPECT_EQ(a.summary.peakHeapBytes, b.summary.peakHeapBytes);
    EXPECT_EQ(a.summary.peakHeapTimeNs, b.summary.peakHeapTimeNs);
    EXPECT_EQ(a.summary.peakRssBytes, b.summary.peakRssBytes);
    EXPECT_EQ(a.summary.temporaryAllocations, b.summary.temporaryAllocations);
    EXPECT_EQ(a.summary.leakedBytes, b.summary.leakedBytes);
    EXPECT_EQ(a.summary.leakedBlocks, b.summary.leakedBlocks);
    EXPECT_EQ(a.summary.threads, b.summary.threads);
    EXPECT_EQ(a.summary.truncated, b.summary.truncated);
    const auto sorted = [](std::vector<SiteStats> sites) {
        std::sort(sites.begin(), sites.end(),
                  [](const SiteStats& x, const SiteStats& y) { return x.stack < y.stack; });
        return sites;
    };
    const auto sa = sorted(a.sites);
    const auto sb = sorted(b.sites);
    ASSERT_EQ(sa.size(), sb.size());
    for (std::size_t i = 0; i < sa.size(); ++i) {
        SCOPED_TRACE(testing::Message() << "site " << sa[i].stack.value);
        EXPECT_EQ(sa[i].stack, sb[i].stack);
        EXPECT_EQ(sa[i].allocations, sb[i].allocations);
        EXPECT_EQ(sa[i].bytesAllocated, sb[i].bytesAllocated);
        EXPECT_EQ(sa[i].peakBytes, sb[i].peakBytes);
        EXPECT_EQ(sa[i].leakedBytes, sb[i].leakedBytes);
        EXPECT_EQ(sa[i].leakedBlocks, sb[i].leakedBlocks);
        EXPECT_EQ(sa[i].temporaryAllocations, sb[i].temporaryAllocations);
    }
}

} // namespace heapscope::analysis::test
