// format: TraceReader streams records out of a trace, one frame in memory at a time. It never
// crashes or hangs on damaged input: it stops at the first bad frame and says where and why.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "format/frame_stream.h"
#include "format/records.h"

namespace heapscope::format {

class BatchPrefetcher;

class TraceReader {
public:
    // Traces with at least this many bytes of frames are read ahead on a second thread.
    static constexpr std::uint64_t kDefaultPrefetchBytes = 1u << 20;

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
    // The same without a copy: the next record, or nullptr where next() returns false. It stays
    // valid until the next call on this reader.
    [[nodiscard]] const Record* nextRecord() { return advance(); }
    // The same a batch at a time: the records not yet delivered of the current batch (at least
    // one), or an empty span where next() returns false. They stay valid until the next call on
    // this reader. A caller that applies many records can so look ahead within the span.
    [[nodiscard]] std::span<const Record> nextRecords();

    ReadOutcome outcome() const { return m_outcome; }
    const std::string& error() const { return m_error; }
    // Progress: compressed bytes consumed so far, and the file's size.
    std::uint64_t bytesConsumed() const { return m_offset; }
    std::uint64_t fileSize() const { return m_fileSize; }
    // Byte offset of the end of the last complete frame (where `run` appends).
    std::uint64_t endOfLastCompleteFrame() const { return m_lastGoodFrameEnd; }
    // File offset of the frame that the record last returned by next() came from.
    std::uint64_t frameOffset() const { return m_frameOffset; }
    // Goes on reading at the frame that starts at offset (known from the trace's index), as if
    // the frames before it had been read. False when offset is outside the frames of the file.
    [[nodiscard]] bool seekFrame(std::uint64_t offset);

    // Read-ahead on a second thread from this many bytes of frames on (0: always); set before
    // open(). The records, outcome and error are the same either way.
    void setPrefetchBytes(std::uint64_t bytes) { m_prefetchBytes = bytes; }

private:
    [[nodiscard]] bool openFile(const std::string& path, std::string& why);
    [[nodiscard]] bool startFrames(std::uint64_t offset);
    Record* advance();
    void takeBatch();
    void reset();

    std::FILE* m_file = nullptr;
    TraceHeader m_header;
    ReadOutcome m_outcome = ReadOutcome::Reading;
    std::string m_error;
    std::uint64_t m_fileSize = 0;
    std::uint64_t m_offset = 0;
    std::uint64_t m_lastGoodFrameEnd = 0;
    std::uint64_t m_frameOffset = 0;      // of the frame the current batch comes from
    std::uint64_t m_firstFrameOffset = 0; // just past the header
    std::uint64_t m_prefetchBytes = kDefaultPrefetchBytes;
    // Records are delivered from m_batch; FrameStream fills it, on the caller's thread or,
    // through m_prefetcher, ahead on another.
    FrameStream m_stream;
    RecordBatch m_batch;
    std::size_t m_next = 0; // next record of m_batch to deliver
    std::unique_ptr<BatchPrefetcher> m_prefetcher;
};

} // namespace heapscope::format
