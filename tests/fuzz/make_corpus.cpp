// fuzz: writes the damaged-trace corpus (tests/fuzz/corpus): one small file per way a trace can
// be broken. Run once after a format change: make_corpus <dir>; corpus_test replays them all.
#include <cstdio>
#include <string>

#include "format/layout.h"
#include "trace_builder.h"

using namespace heapscope::format;
using namespace heapscope::format::testing;

namespace {

Bytes cut(const Bytes& bytes, std::size_t size) {
    return Bytes(bytes.begin(), bytes.begin() + static_cast<long>(size));
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_corpus DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    const auto frames = sampleFrames();
    const Bytes header = headerBytes(sampleHeader());
    const Bytes trace = writeTrace(sampleHeader(), frames);
    const std::size_t frame1 = header.size();
    const std::size_t frame2 = writeTrace(sampleHeader(), {frames[0]}).size();
    const Bytes goodFrame = rawFrame({0x0c, 0x02}); // End t=1

    Bytes randomBytes(512);
    std::uint32_t state = 12345;
    for (auto& b : randomBytes) {
        state = state * 1103515245u + 12345u;
        b = static_cast<std::uint8_t>(state >> 16);
    }
    Bytes newer = trace;
    layout::storeLe16(newer.data() + 8, 7);
    Bytes hugeHeader = header;
    layout::storeLe32(hugeHeader.data() + 12, 0xffffffffu);
    Bytes badMarker = trace;
    badMarker[frame2] ^= 0x20;
    Bytes badRawSize = trace;
    layout::storeLe32(badRawSize.data() + frame2 + 8, 0x7fffffffu);
    Bytes badCompressedSize = trace;
    layout::storeLe32(badCompressedSize.data() + frame2 + 4, 3);
    Bytes flipped = trace;
    flipped[frame2 + 12 + (layout::loadLe32(trace.data() + frame2 + 4) / 2)] ^= 0x10;
    Bytes noEnd = writeTrace(sampleHeader(), {frames[0], frames[1]});

    const struct {
        const char* name;
        Bytes bytes;
    } cases[] = {
        {"empty.bin", {}},
        {"random-bytes.bin", randomBytes},
        {"not-a-trace.bin", {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0}},
        {"truncated-header.bin", cut(header, 10)},
        {"truncated-header-body.bin", cut(header, header.size() - 3)},
        {"newer-version.bin", newer},
        {"huge-header-body.bin", hugeHeader},
        {"truncated-frame-header.bin", cut(trace, frame1 + 5)},
        {"truncated-frame.bin", cut(trace, frame2 + 20)},
        {"no-end-record.bin", noEnd},
        {"bad-marker.bin", badMarker},
        {"bad-raw-size.bin", badRawSize},
        {"bad-compressed-size.bin", badCompressedSize},
        {"flipped-compressed-byte.bin", flipped},
        {"unknown-tag.bin", join({header, goodFrame, rawFrame({0x0c, 0x02, 0x3f, 0x00})})},
        {"huge-string-length.bin",
         join({header, rawFrame({0x04, 0x00, 0x02, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 'x'})})},
        {"truncated-varint.bin", join({header, goodFrame, rawFrame({0x06, 0x80})})},
        {"huge-segment-count.bin", join({header, rawFrame({0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
                                                           0xff, 0xff, 0xff, 0x0f, 0x00})})},
        {"enum-out-of-range.bin", join({header, rawFrame({0x05, 0x00, 0x07, 0x02, 0x02, 0x09})})},
        {"leak-check-cut-short.bin",
         join({header, goodFrame, rawFrame({0x0f, 0x02, 0x01, 0x10, 0x01})})},
        // A Free, then an AllocReuse of the second latest free.
        {"alloc-reuse-past-recent-frees.bin",
         join(
             {header, goodFrame,
              rawFrame({0x05, 0x00, 0x07, 0x02, 0x20, 0x00, 0x12, 0x02, 0x02, 0x10, 0x00, 0x00})})},
        // One Alloc, then a FreeRecent two Allocs back.
        {"free-recent-past-frame-start.bin",
         join(
             {header, goodFrame,
              rawFrame({0x05, 0x00, 0x06, 0x02, 0x20, 0x10, 0x00, 0x00, 0x11, 0x02, 0x02, 0x00})})},
    };
    for (const auto& c : cases)
        writeFile(dir + "/" + c.name, c.bytes);
    std::printf("wrote %zu files to %s\n", std::size(cases), dir.c_str());
    return 0;
}
