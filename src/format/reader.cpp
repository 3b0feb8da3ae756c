// format: TraceReader: header checks, then record delivery from the batches of a FrameStream,
// filled ahead on a second thread for all but small traces.
#include "format/reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "format/batch_prefetcher.h"
#include "format/header_codec.h"
#include "format/layout.h"

namespace heapscope::format {

TraceReader::TraceReader() = default;

TraceReader::~TraceReader() {
    // The prefetch thread reads the file: stop it before closing.
    m_prefetcher.reset();
    if (m_file != nullptr) std::fclose(m_file);
}

void TraceReader::reset() {
    m_prefetcher.reset();
    if (m_file != nullptr) std::fclose(m_file);
    m_file = nullptr;
    m_header = TraceHeader{};
    m_outcome = ReadOutcome::Reading;
    m_error.clear();
    m_fileSize = m_offset = m_lastGoodFrameEnd = m_frameOffset = m_firstFrameOffset = 0;
    m_batch.count = m_next = 0;
    m_batch.final = false;
}

bool TraceReader::open(const std::string& path) {
    reset();
    std::string why;
    if (openFile(path, why)) return true;
    // A refused file is closed, so next() cannot read past a header it did not accept.
    reset();
    m_error = why;
    return false;
}

bool TraceReader::openFile(const std::string& path, std::string& why) {
    m_file = std::fopen(path.c_str(), "rbe");
    if (m_file == nullptr) {
        why = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    struct stat st {};
    if (::fstat(fileno(m_file), &st) != 0 || !S_ISREG(st.st_mode)) {
        why = "cannot read " + path + ": not a regular file";
        return false;
    }
    m_fileSize = static_cast<std::uint64_t>(st.st_size);

    std::uint8_t prefix[layout::kHeaderPrefixBytes];
    const std::size_t got = std::fread(prefix, 1, sizeof prefix, m_file);
    std::uint32_t bodyBytes = 0;
    if (!decodeHeaderPrefix(prefix, got, m_header.version, bodyBytes, why)) {
        why = path + ": " + why;
        return false;
    }
    std::vector<std::uint8_t> body(bodyBytes);
    if (std::fread(body.data(), 1, body.size(), m_file) != body.size()) {
        why = path + ": damaged header: the file ends inside the header";
        return false;
    }
    if (!decodeHeaderBody(body.data(), body.size(), m_header, why)) {
        why = path + ": " + why;
        return false;
    }
    m_firstFrameOffset = layout::kHeaderPrefixBytes + std::uint64_t{bodyBytes};
    if (!startFrames(m_firstFrameOffset)) {
        why = "cannot read " + path + ": out of memory";
        return false;
    }
    return true;
}

bool TraceReader::startFrames(std::uint64_t offset) {
    m_prefetcher.reset();
    m_batch.count = m_next = 0;
    m_batch.final = false;
    m_outcome = ReadOutcome::Reading;
    m_error.clear();
    m_offset = m_lastGoodFrameEnd = m_frameOffset = offset;
    if (!m_stream.start(m_file, offset, m_fileSize, m_header.timeQuantumNs)) return false;
    if (m_fileSize - offset >= m_prefetchBytes) {
        try {
            m_prefetcher = std::make_unique<BatchPrefetcher>(m_stream);
        } catch (const std::system_error&) {
            // No thread to be had (a process or memory limit): read on the caller's thread.
        }
    }
    return true;
}

bool TraceReader::next(Record& out) {
    Record* record = advance();
    if (record == nullptr) return false;
    out = std::move(*record);
    return true;
}

Record* TraceReader::advance() {
    while (m_next == m_batch.count) {
        if (m_batch.final || m_file == nullptr) {
            // The batch's records are all delivered: only now does the reader say why it ended.
            if (m_file != nullptr) {
                m_outcome = m_batch.outcome;
                m_error = m_batch.error;
            }
            return nullptr;
        }
        takeBatch();
    }
    return &m_batch.records[m_next++];
}

std::span<const Record> TraceReader::nextRecords() {
    const Record* first = advance();
    if (first == nullptr) return {};
    const std::size_t count = m_batch.count - (m_next - 1);
    m_next = m_batch.count;
    return {first, count};
}

void TraceReader::takeBatch() {
    if (m_prefetcher)
        m_prefetcher->take(m_batch);
    else
        m_stream.fill(m_batch);
    m_next = 0;
    m_frameOffset = m_batch.frameOffset;
    m_offset = m_batch.offset;
    m_lastGoodFrameEnd = m_batch.lastGoodFrameEnd;
}

bool TraceReader::seekFrame(std::uint64_t offset) {
    if (m_file == nullptr || offset < m_firstFrameOffset || offset > m_fileSize) return false;
    if (startFrames(offset)) return true;
    m_outcome = ReadOutcome::Damaged;
    m_error = "cannot go on reading at byte " + std::to_string(offset);
    m_batch.final = true;
    return false;
}

} // namespace heapscope::format
