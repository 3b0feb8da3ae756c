// fuzz: libFuzzer entry for the trace index reader (TRACE.hsi). The first byte picks how the
// rest is read: as a sidecar byte for byte (prefix, sizes, compression and its checksum), or as
// a recipe for a sidecar written by IndexFileWriter whose directory entries and checkpoint
// contents are the fuzzer's choice, so it reaches the decoders behind the checksums. What is
// accepted must hold the invariants the window code relies on (analysis/window.cpp indexes
// frames by checkpoint and seeks to offsets); what is refused must say why.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>
#include <zstd.h>

#include "format/trace_index.h"
#include "memory_file.h"

namespace {

using namespace heapscope::format;

void require(bool condition) {
    if (!condition) std::abort();
}

void checkFrames(const TraceIndex& index) {
    std::uint64_t lastOffset = 0;
    for (const IndexFrame& f : index.frames) {
        require(f.offset > lastOffset && f.offset < index.traceBytes);
        require(f.maxTimeNs >= f.minTimeNs);
        lastOffset = f.offset;
    }
}

void checkCheckpoint(const std::string& path, const IndexCheckpoint& checkpoint) {
    std::vector<std::uint8_t> blob;
    std::string why;
    // The directory placed the blob inside the file: it can always be read.
    require(readCheckpointBlob(path, checkpoint, blob, why));
    require(blob.size() == checkpoint.blobBytes);
    std::vector<CheckpointBlock> blocks;
    if (!decodeCheckpoint(blob, checkpoint, blocks, why)) {
        require(!why.empty() && blocks.empty());
        return;
    }
    require(blocks.size() == checkpoint.blocks);
    std::uint64_t heapBytes = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        require(i == 0 || blocks[i].address > blocks[i - 1].address);
        heapBytes += blocks[i].size;
    }
    require(heapBytes == checkpoint.heapBytes);
}

// Reads the sidecar at path and checks what it gives.
void readAndCheck(const std::string& path) {
    TraceIndex index;
    std::string why;
    if (!readIndex(path, index, why)) {
        require(!why.empty() && index.frames.empty() && index.checkpoints.empty());
        return;
    }
    checkFrames(index);
    std::uint64_t nextFrame = 0;
    for (const IndexCheckpoint& checkpoint : index.checkpoints) {
        require(checkpoint.frame >= nextFrame && checkpoint.frame < index.frames.size());
        nextFrame = checkpoint.frame + 1;
        checkCheckpoint(path, checkpoint);
    }
}

std::vector<std::uint8_t> zstdFrame(const std::vector<std::uint8_t>& raw) {
    std::vector<std::uint8_t> out(ZSTD_compressBound(raw.size()));
    const std::size_t got = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 1);
    require(!ZSTD_isError(got));
    out.resize(got);
    return out;
}

// A sidecar from the recipe in `in`: frames at increasing offsets (a step of 0 is out of
// range), checkpoints whose figures and blob contents come from the input.
void fromRecipe(FuzzedDataProvider& in) {
    static const std::string path = "/tmp/heapscope-index-fuzz." + std::to_string(::getpid());
    TraceIndex index;
    index.traceMtimeNs = in.ConsumeIntegral<std::int64_t>();
    index.events = in.ConsumeIntegral<std::uint32_t>();
    index.peakHeapBytes = in.ConsumeIntegral<std::uint32_t>();
    index.peakTimeNs = in.ConsumeIntegral<std::uint32_t>();
    index.readProblem = in.ConsumeRandomLengthString(64);
    std::uint64_t offset = 0;
    for (std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 12); n > 0; --n) {
        offset += in.ConsumeIntegralInRange<std::uint64_t>(0, 300);
        const std::uint64_t minTime = in.ConsumeIntegral<std::uint32_t>();
        index.frames.push_back(
            IndexFrame{offset, minTime, minTime + in.ConsumeIntegral<std::uint16_t>(),
                       in.ConsumeIntegral<std::uint16_t>(), in.ConsumeBool(), in.ConsumeBool()});
    }
    index.traceBytes = offset + in.ConsumeIntegralInRange<std::uint64_t>(0, 300);
    IndexFileWriter file;
    if (!file.open(path)) std::abort();
    for (std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 4); n > 0; --n) {
        IndexCheckpoint checkpoint{in.ConsumeIntegralInRange<std::uint64_t>(0, 12),
                                   in.ConsumeIntegral<std::uint32_t>(),
                                   in.ConsumeIntegral<std::uint16_t>(),
                                   in.ConsumeIntegralInRange<std::uint64_t>(0, 40),
                                   0,
                                   0};
        const bool compressed = in.ConsumeBool();
        const auto raw = in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange(0, 256));
        if (!file.addCheckpoint(compressed ? zstdFrame(raw) : raw, checkpoint)) return;
        index.checkpoints.push_back(checkpoint);
    }
    std::string why;
    if (!file.finish(index, why)) std::abort();
    readAndCheck(path);
    std::remove(path.c_str());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    if (data[0] % 2 == 0) {
        readAndCheck(heapscope::fuzz::memoryFile(data + 1, size - 1));
    } else {
        FuzzedDataProvider in(data + 1, size - 1);
        fromRecipe(in);
    }
    return 0;
}
