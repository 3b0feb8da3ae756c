// format tests: a Free of a block allocated earlier in its frame is written as a FreeRecent (how
// many Allocs back) and reads back as the same Free with its address.
#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <random>

#include "format/frame_decoder.h"
#include "format/layout.h"
#include "format/recent_allocs.h"
#include "format/recent_frees.h"
#include "format/writer.h"
#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

TEST(RecentAllocs, DistanceCountsAllocsBackToTheLatestAtThatAddress) {
    RecentAllocs recent;
    EXPECT_EQ(0u, recent.distanceTo(0x1000));
    recent.noteAlloc(0x1000);
    recent.noteAlloc(0x2000);
    recent.noteAlloc(0x3000);
    EXPECT_EQ(3u, recent.distanceTo(0x1000));
    EXPECT_EQ(1u, recent.distanceTo(0x3000));
    recent.noteAlloc(0x1000); // handed out again: the latest Alloc at 0x1000 counts
    EXPECT_EQ(1u, recent.distanceTo(0x1000));
    EXPECT_EQ(0u, recent.distanceTo(0x4000));
    recent.newFrame();
    EXPECT_EQ(0u, recent.distanceTo(0x1000));
    EXPECT_EQ(0u, recent.distanceTo(0x3000));
}

TEST(RecentAllocs, AnAllocSharingTheSlotEvictsTheEarlierOne) {
    RecentAllocs recent;
    recent.noteAlloc(0x1000);
    // Some address among the next 2^22 blocks maps to 0x1000's slot.
    std::uint64_t other = 0x1010;
    for (; other < 0x1000 + (std::uint64_t{1} << 26); other += 16) {
        recent.noteAlloc(other);
        if (recent.distanceTo(0x1000) == 0) break;
    }
    ASSERT_EQ(0u, recent.distanceTo(0x1000)) << "no address shared the slot";
    EXPECT_EQ(1u, recent.distanceTo(other));
}

TEST(RecentFrees, RanksCountFreesBackAndATakenAddressLeaves) {
    RecentFrees frees;
    EXPECT_EQ(0u, frees.rankOf(0x10));
    frees.noteFree(0x10);
    frees.noteFree(0x20);
    frees.noteFree(0x30);
    EXPECT_EQ(3u, frees.size());
    EXPECT_EQ(1u, frees.rankOf(0x30));
    EXPECT_EQ(3u, frees.rankOf(0x10));
    EXPECT_EQ(0x20u, frees.take(2));
    EXPECT_EQ(2u, frees.size());
    EXPECT_EQ(0u, frees.rankOf(0x20));
    EXPECT_EQ(2u, frees.rankOf(0x10));
    EXPECT_EQ(1u, frees.rankOf(0x30));
    frees.clear();
    EXPECT_EQ(0u, frees.rankOf(0x30));
}

TEST(RecentFrees, KeepsOnlyTheLatest) {
    RecentFrees frees;
    for (std::uint64_t i = 1; i <= RecentFrees::kCapacity + 5; ++i)
        frees.noteFree(i * 16);
    EXPECT_EQ(RecentFrees::kCapacity, frees.size());
    EXPECT_EQ(0u, frees.rankOf(5 * 16));
    EXPECT_EQ(RecentFrees::kCapacity, frees.rankOf(6 * 16));
    EXPECT_EQ(6u * 16, frees.take(RecentFrees::kCapacity));
    EXPECT_EQ(1u, frees.rankOf((RecentFrees::kCapacity + 5) * 16));
}

// Raw payload of every frame of a trace file.
std::vector<Bytes> framePayloads(const Bytes& file, std::size_t headerSize) {
    std::vector<Bytes> payloads;
    for (std::size_t at = headerSize; at + layout::kFrameHeaderBytes <= file.size();) {
        const std::uint32_t compressed = layout::loadLe32(file.data() + at + 4);
        Bytes raw(layout::loadLe32(file.data() + at + 8));
        const std::size_t n = ZSTD_decompress(
            raw.data(), raw.size(), file.data() + at + layout::kFrameHeaderBytes, compressed);
        EXPECT_FALSE(ZSTD_isError(n));
        payloads.push_back(raw);
        at += layout::kFrameHeaderBytes + compressed;
    }
    return payloads;
}

TEST(FreeRecent, ChurnAcrossFramesReadsBackEveryAddress) {
    // Blocks from a small pool of addresses (so an address is handed out again within a frame),
    // freed young or old, across frames closed at random points, over more Allocs per frame than
    // the writer's table has slots; plus frees of addresses never allocated.
    std::mt19937_64 random(7);
    std::vector<std::vector<Record>> frames(1);
    std::vector<std::uint64_t> live;
    std::vector<bool> used(1 << 18);
    std::vector<std::uint64_t> freed; // slots, oldest first
    std::uint64_t time = 0;
    for (int i = 0; i < 600'000; ++i) {
        time += random() % 3;
        const auto thread = ThreadIndex{static_cast<std::uint32_t>(random() % 4)};
        const std::uint64_t choice = random() % 100;
        if (choice < 50 || live.empty()) {
            // Half the time an address freed lately, as allocators hand out.
            std::uint64_t slot =
                random() % 2 == 0 && !freed.empty()
                    ? freed[freed.size() - 1 - random() % std::min<std::size_t>(freed.size(), 100)]
                    : random() % used.size();
            while (used[slot])
                slot = (slot + 1) % used.size();
            used[slot] = true;
            live.push_back(0x7f0000000000 + slot * 16);
            frames.back().push_back(AllocRecord{thread, time, live.back(), 1 + random() % 900,
                                                StackId{1}, AllocFamily::Malloc});
        } else if (choice < 98) {
            // Mostly the youngest blocks, sometimes any.
            const std::size_t pick =
                choice < 80 ? live.size() - 1 - random() % std::min<std::size_t>(live.size(), 8)
                            : random() % live.size();
            const std::uint64_t address = live[pick];
            live[pick] = live.back();
            live.pop_back();
            used[(address - 0x7f0000000000) / 16] = false;
            freed.push_back((address - 0x7f0000000000) / 16);
            frames.back().push_back(FreeRecord{thread, time, address, AllocFamily::New});
        } else {
            frames.back().push_back(
                FreeRecord{thread, time, 0x100000000000 + random() % 4096, AllocFamily::Malloc});
        }
        if (random() % 50'000 == 0) frames.emplace_back();
    }
    frames.back().push_back(EndRecord{time});
    const Bytes file = writeTrace(sampleHeader(), frames);

    const ReadBack back = readBytes(file);
    ASSERT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
    std::vector<Record> written;
    for (const auto& frame : frames)
        for (const Record& r : frame)
            written.push_back(roundedTime(r, sampleHeader().timeQuantumNs));
    ASSERT_EQ(written.size(), back.records.size());
    for (std::size_t i = 0; i < written.size(); ++i)
        ASSERT_EQ(describe(written[i]), describe(back.records[i])) << "record " << i;

    // Young frees and reused addresses took the short forms.
    std::size_t freeRecent = 0, allocReuse = 0;
    FrameDecoder decoder;
    Record record;
    for (const Bytes& payload : framePayloads(file, headerBytes(sampleHeader()).size())) {
        decoder.reset(payload.data(), payload.size());
        while (!decoder.atEnd()) {
            std::size_t count = 0;
            ASSERT_TRUE(decoder.nextMany(&record, 1, count)) << decoder.error();
            freeRecent += decoder.lastTag() == RecordTag::FreeRecent;
            allocReuse += decoder.lastTag() == RecordTag::AllocReuse;
        }
    }
    EXPECT_GT(freeRecent, 100'000u);
    EXPECT_GT(allocReuse, 50'000u);
}

TEST(FreeRecent, AppendingToAVersion2TraceWritesAddresses) {
    TraceHeader header = sampleHeader();
    Bytes file = writeTrace(header, {});
    layout::storeLe16(file.data() + 8, 2);
    const std::string path = tempPath("v2.hst");
    writeFile(path, file);

    TraceWriter writer;
    ASSERT_TRUE(writer.openAppend(path));
    writer.write(ThreadRecord{ThreadIndex{0}, 0, 1, "main"});
    writer.write(AllocRecord{ThreadIndex{0}, 0, 0x1000, 8, StackId{0}, AllocFamily::Malloc});
    writer.write(FreeRecord{ThreadIndex{0}, 0, 0x1000, AllocFamily::Malloc});
    ASSERT_TRUE(writer.close());

    const std::vector<Bytes> payloads = framePayloads(readFile(path), file.size());
    ASSERT_EQ(1u, payloads.size());
    const Bytes& raw = payloads[0];
    // Thread, ThreadSwitch, Alloc (6 bytes), then a Free with its address.
    ASSERT_GE(raw.size(), 4u);
    EXPECT_EQ(static_cast<std::uint8_t>(RecordTag::Free), raw[raw.size() - 4]);
    const ReadBack back = readTrace(path);
    EXPECT_EQ(2u, back.header.version);
    ASSERT_EQ(3u, back.records.size());
    EXPECT_EQ("Free thread=0 t=0 addr=0x1000 family=0", describe(back.records[2]));
}

} // namespace
} // namespace heapscope::format::testing
