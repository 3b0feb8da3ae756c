// fuzz: writes the seed corpus of the index fuzzer (tests/fuzz/index_corpus): sound sidecars of
// a few shapes, each after the byte that makes the fuzzer read it as a file, so the fuzzer starts
// inside the compressed directory and checkpoint blobs. Run after an index format change:
// make_index_corpus <dir>.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "format/trace_index.h"

using namespace heapscope::format;

namespace {

// frames offsets 64, 64 + 100, ...; one timed and one structural frame among them.
TraceIndex framesOnly(std::size_t frames) {
    TraceIndex index;
    index.traceBytes = 64 + 100 * frames;
    index.traceMtimeNs = 1'700'000'000'000'000'000;
    for (std::size_t i = 0; i < frames; ++i) {
        const std::uint64_t t = 1000 * i;
        index.frames.push_back(IndexFrame{64 + 100 * i, t, t + 500, 10 + i, i % 2 == 0, i == 0});
    }
    return index;
}

bool write(const std::string& path, TraceIndex index,
           const std::vector<std::vector<CheckpointBlock>>& checkpoints) {
    IndexFileWriter file;
    if (!file.open(path)) return false;
    std::uint64_t frame = 1;
    for (const auto& blocks : checkpoints) {
        std::uint64_t heap = 0;
        for (const CheckpointBlock& b : blocks)
            heap += b.size;
        IndexCheckpoint& checkpoint = index.checkpoints.emplace_back(
            IndexCheckpoint{frame, 1000 * frame - 1, heap, blocks.size(), 0, 0});
        ++frame;
        if (!file.addCheckpoint(encodeCheckpoint(blocks), checkpoint)) return false;
    }
    std::string why;
    if (!file.finish(index, why)) {
        std::fprintf(stderr, "%s\n", why.c_str());
        return false;
    }
    // index_fuzzer reads inputs whose first byte is even as a sidecar file.
    std::vector<char> bytes;
    {
        std::ifstream in(path, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.put('\0');
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
}

CheckpointBlock block(std::uint64_t address, std::uint64_t size, std::uint32_t stack) {
    return CheckpointBlock{address,
                           size,
                           heapscope::StackId{stack},
                           heapscope::ThreadIndex{0},
                           address / 16,
                           AllocFamily::Malloc};
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_index_corpus DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    TraceIndex damaged = framesOnly(3);
    damaged.readProblem = "truncated at byte 300: frame cut short";
    damaged.events = 42;
    damaged.peakHeapBytes = 4096;
    damaged.peakTimeNs = 1200;
    const bool ok =
        write(dir + "/no-checkpoints.hsi", framesOnly(4), {}) &&
        write(dir + "/read-problem.hsi", damaged, {{block(0x1000, 64, 1)}}) &&
        write(dir + "/checkpoints.hsi", framesOnly(6),
              {{block(0x1000, 64, 1), block(0x2000, 128, 2)},
               {},
               {block(0x1000, 64, 1), block(0x3000, 1 << 20, 3), block(0x7f0000001000, 24, 4)}});
    if (!ok) {
        std::fprintf(stderr, "make_index_corpus: cannot write to %s\n", dir.c_str());
        return 1;
    }
    std::printf("wrote 3 files to %s\n", dir.c_str());
    return 0;
}
