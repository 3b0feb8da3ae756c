// format: TraceReader streams records out of a trace, one frame in memory at a time. It never
// crashes or hangs on damaged input: it stops at the first bad frame and says where and why.
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

class TraceReader {
public:
    TraceReader();
    ~TraceReader();
    TraceReader(const TraceReader&) = delete;
    TraceReader& operator=(const TraceReader&) = delete;

    // Opens path and reads the header. On failure error() has a one-line reason (missing file,
    // not a heapscope trace, a newer format version, damaged header).
    [[nodiscard]] bool open(const std::string& path);
    const TraceHeader& header() const { return m_header; }

    // Reads the next record into out. Returns false at the end of what could be read; then
    // outcome() says why, and error() describes damage with its byte offset.
    [[nodiscard]] bool next(Record& out);

    ReadOutcome outcome() const { return m_outcome; }
    const std::string& error() const { return m_error; }
    // Progress: compressed bytes consumed so far, and the file's size.
    std::uint64_t bytesConsumed() const { return m_offset; }
    std::uint64_t fileSize() const { return m_fileSize; }
    // Byte offset of the end of the last complete frame (where `run` appends).
    std::uint64_t endOfLastCompleteFrame() const { return m_lastGoodFrameEnd; }

private:
    [[nodiscard]] bool openFile(const std::string& path, std::string& why);
    [[nodiscard]] bool loadNextFrame();
    [[nodiscard]] bool readFrameBytes(std::uint32_t compressedBytes, std::uint32_t rawBytes);
    [[nodiscard]] bool readAll(std::uint8_t* out, std::size_t size);
    void reset();
    void fail(ReadOutcome outcome, const std::string& why);

    std::FILE* m_file = nullptr;
    TraceHeader m_header;
    ReadOutcome m_outcome = ReadOutcome::Reading;
    std::string m_error;
    std::uint64_t m_fileSize = 0;
    std::uint64_t m_offset = 0;
    std::uint64_t m_lastGoodFrameEnd = 0;
    std::uint64_t m_frameOffset = 0; // file offset of the frame being decoded
    bool m_sawEnd = false;
    // Both buffers only grow, to the largest frame seen: no allocation per frame.
    std::vector<std::uint8_t> m_compressed;
    std::vector<std::uint8_t> m_raw;
    void* m_zstd = nullptr; // ZSTD_DCtx*
    // A frame is decoded once into m_scratch to validate it, then again into the caller's
    // records, so a damaged frame delivers nothing and memory stays at one frame.
    FrameDecoder m_decoder;
    Record m_scratch;
};

} // namespace heapscope::format
