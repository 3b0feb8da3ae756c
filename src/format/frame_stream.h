// format: FrameStream reads the frames that follow a trace's header (marker, sizes, zstd with
// checksum) and hands their records out in batches to TraceReader.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "format/frame_decoder.h"
#include "format/records.h"

namespace heapscope::format {

enum class ReadOutcome {
    Reading,   // not at the end yet
    Complete,  // every frame read, and the recorder's End record was among them
    Truncated, // the file ends inside a frame, or without an End record (killed program)
    Damaged,   // a frame failed its marker, size, checksum or record decoding
};

// Records of one frame (never of two), with where reading stood once that frame was loaded.
struct RecordBatch {
    static constexpr std::size_t kMaxRecords = 2048;
    // [0, count) are this batch's records. The vector only grows and its records are reused,
    // so strings keep their capacity and a run of batches costs no allocation.
    std::vector<Record> records;
    std::size_t count = 0;
    std::uint64_t frameOffset = 0;      // of the frame the records come from
    std::uint64_t offset = 0;           // bytes consumed once that frame was loaded
    std::uint64_t lastGoodFrameEnd = 0; // end of the last frame whose records all decoded
    // Reading ended after these records: outcome and error say why.
    bool final = false;
    ReadOutcome outcome = ReadOutcome::Reading;
    std::string error;
};

class FrameStream {
public:
    FrameStream();
    ~FrameStream();
    FrameStream(const FrameStream&) = delete;
    FrameStream& operator=(const FrameStream&) = delete;

    // Reads frames from file, starting at the frame at offset; time fields are multiples of
    // timeQuantumNs (the header's). The file is read only by fill() until the next start().
    // False when the decompressor cannot be made or offset not reached.
    [[nodiscard]] bool start(std::FILE* file, std::uint64_t offset, std::uint64_t fileSize,
                             std::uint64_t timeQuantumNs);
    // Fills batch with the next records, at most kMaxRecords, all from one frame. A frame that
    // fails its checks before decoding (marker, sizes, zstd, checksum) delivers none of its
    // records; one holding a record that does not decode delivers the records before it.
    // Either way reading stops there (batch.final).
    void fill(RecordBatch& batch);

private:
    void fillFromFrame(RecordBatch& batch);
    [[nodiscard]] bool loadNextFrame();
    [[nodiscard]] bool readFrameBytes(std::uint32_t compressedBytes, std::uint32_t rawBytes);
    [[nodiscard]] bool readAll(std::uint8_t* out, std::size_t size);
    void fail(ReadOutcome outcome, const std::string& why);

    std::FILE* m_file = nullptr;
    std::uint64_t m_fileSize = 0;
    std::uint64_t m_offset = 0;
    std::uint64_t m_lastGoodFrameEnd = 0;
    std::uint64_t m_frameOffset = 0; // file offset of the frame being decoded
    bool m_sawEnd = false;
    ReadOutcome m_outcome = ReadOutcome::Reading;
    std::string m_error;
    // Both buffers only grow, to the largest frame seen: no allocation per frame.
    std::vector<std::uint8_t> m_compressed;
    std::vector<std::uint8_t> m_raw;
    void* m_zstd = nullptr; // ZSTD_DCtx*
    // Decodes each frame once, straight into the batches: a separate validation pass before
    // delivery took 29 % of `summary`'s wall time on a bench_w1 trace, and zstd's checksum
    // already rules out damage on disk, leaving only a faulty or hostile writer to stop at.
    FrameDecoder m_decoder;
};

} // namespace heapscope::format
