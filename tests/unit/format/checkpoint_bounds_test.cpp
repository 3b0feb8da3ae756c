// tests/unit/format: a trace index's checkpoints are refused, before anything is allocated for
// them, when they claim more than the index allows: more raw bytes than their blocks can take,
// or more blocks than there are records before them.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "format/trace_index.h"

namespace heapscope::format {
namespace {

std::vector<CheckpointBlock> threeBlocks() {
    return {CheckpointBlock{0x1000, 32, StackId{1}, ThreadIndex{0}, 10, AllocFamily::Malloc},
            CheckpointBlock{0x2000, 64, StackId{2}, ThreadIndex{1}, 20, AllocFamily::New},
            CheckpointBlock{0x3000, 16, StackId{1}, ThreadIndex{0}, 30, AllocFamily::NewArray}};
}

TEST(CheckpointBounds, ABlobDeclaringMoreBytesThanItsBlocksTakeIsRefused) {
    const std::vector<std::uint8_t> good = encodeCheckpoint(threeBlocks());
    IndexCheckpoint checkpoint;
    checkpoint.blocks = 3;
    checkpoint.heapBytes = 112;
    std::vector<CheckpointBlock> out;
    std::string why;
    ASSERT_TRUE(decodeCheckpoint(good, checkpoint, out, why)) << why;
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[1].address, 0x2000u);

    // 64 KiB of zeros compress to a few bytes and declare their size: far more than 3 blocks.
    const std::vector<std::uint8_t> zeros(64 * 1024, 0);
    std::vector<std::uint8_t> bomb(ZSTD_compressBound(zeros.size()));
    bomb.resize(ZSTD_compress(bomb.data(), bomb.size(), zeros.data(), zeros.size(), 1));
    ASSERT_LT(bomb.size(), 100u);
    EXPECT_FALSE(decodeCheckpoint(bomb, checkpoint, out, why));
    EXPECT_NE(why.find("plausible size"), std::string::npos) << why;
    EXPECT_TRUE(out.empty());
}

// Writes an index of two frames (2 and 5 records) with one checkpoint of `blocks` blocks at
// the second frame, and reads it back.
bool roundTrip(std::uint64_t blocks, std::string& why) {
    const std::string path =
        ::testing::TempDir() + "checkpoint_bounds_" + std::to_string(::getpid()) + ".hsi";
    TraceIndex index;
    index.traceBytes = 10'000;
    index.frames = {IndexFrame{100, 0, 0, 2, false, true}, IndexFrame{200, 0, 0, 5, false, false}};
    std::vector<CheckpointBlock> live = threeBlocks();
    live.resize(blocks);
    IndexCheckpoint checkpoint;
    checkpoint.frame = 1;
    checkpoint.blocks = blocks;
    for (const CheckpointBlock& b : live)
        checkpoint.heapBytes += b.size;
    IndexFileWriter writer;
    if (!writer.open(path) || !writer.addCheckpoint(encodeCheckpoint(live), checkpoint)) {
        why = "cannot write the index";
        return false;
    }
    index.checkpoints.push_back(checkpoint);
    if (!writer.finish(index, why)) return false;
    TraceIndex read;
    const bool ok = readIndex(path, read, why);
    ::unlink(path.c_str());
    return ok;
}

TEST(CheckpointBounds, MoreBlocksThanRecordsBeforeTheCheckpointAreRefused) {
    std::string why;
    EXPECT_TRUE(roundTrip(2, why)) << why;
    EXPECT_FALSE(roundTrip(3, why));
    EXPECT_NE(why.find("more blocks than records"), std::string::npos) << why;
}

} // namespace
} // namespace heapscope::format
