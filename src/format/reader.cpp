// format: TraceReader: header checks, frame loading (marker, sizes, zstd with checksum) and
// record delivery. A frame is validated whole before any of its records is returned.
#include "format/reader.h"

#include <sys/stat.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "format/header_codec.h"
#include "format/layout.h"

namespace heapscope::format {
namespace {

ZSTD_DCtx* context(void* p) { return static_cast<ZSTD_DCtx*>(p); }

// The most compressed bytes a frame of kMaxFrameRawBytes can take.
constexpr std::uint64_t kMaxFrameCompressedBytes = ZSTD_COMPRESSBOUND(kMaxFrameRawBytes);

} // namespace

TraceReader::TraceReader() = default;

TraceReader::~TraceReader() {
    if (m_file != nullptr) std::fclose(m_file);
    ZSTD_freeDCtx(context(m_zstd));
}

void TraceReader::reset() {
    if (m_file != nullptr) std::fclose(m_file);
    m_file = nullptr;
    m_header = TraceHeader{};
    m_outcome = ReadOutcome::Reading;
    m_error.clear();
    m_fileSize = m_offset = m_lastGoodFrameEnd = m_frameOffset = 0;
    m_sawEnd = false;
    m_decoder.reset(nullptr, 0);
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
    if (m_zstd == nullptr && (m_zstd = ZSTD_createDCtx()) == nullptr) {
        why = "cannot read " + path + ": out of memory";
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
    if (!readAll(body.data(), body.size())) {
        why = path + ": damaged header: the file ends inside the header";
        return false;
    }
    if (!decodeHeaderBody(body.data(), body.size(), m_header, why)) {
        why = path + ": " + why;
        return false;
    }
    m_offset = m_lastGoodFrameEnd = layout::kHeaderPrefixBytes + std::uint64_t{bodyBytes};
    return true;
}

bool TraceReader::next(Record& out) {
    while (m_outcome == ReadOutcome::Reading && m_file != nullptr) {
        if (!m_decoder.atEnd()) {
            if (m_decoder.next(out)) return true;
            // Unreachable after validation unless memory is corrupted; still never crash.
            fail(ReadOutcome::Damaged, m_decoder.error());
            return false;
        }
        if (!loadNextFrame()) return false;
    }
    return false;
}

bool TraceReader::loadNextFrame() {
    m_frameOffset = m_offset;
    const std::uint64_t remaining = m_fileSize - m_offset;
    if (remaining == 0) {
        if (m_sawEnd) {
            m_outcome = ReadOutcome::Complete;
        } else {
            fail(ReadOutcome::Truncated, "the trace has no End record: the program did not finish "
                                         "(killed, or still running)");
        }
        return false;
    }
    std::uint8_t head[layout::kFrameHeaderBytes];
    if (remaining < sizeof head || !readAll(head, sizeof head)) {
        fail(ReadOutcome::Truncated, "the file ends inside a frame header");
        return false;
    }
    const std::uint32_t compressedBytes = layout::loadLe32(head + 4);
    const std::uint32_t rawBytes = layout::loadLe32(head + 8);
    if (layout::loadLe32(head) != kFrameMarker) {
        fail(ReadOutcome::Damaged, "bad frame marker");
        return false;
    }
    if (compressedBytes == 0 || compressedBytes > kMaxFrameCompressedBytes) {
        fail(ReadOutcome::Damaged,
             "implausible compressed size " + std::to_string(compressedBytes));
        return false;
    }
    if (rawBytes == 0 || rawBytes > kMaxFrameRawBytes) {
        fail(ReadOutcome::Damaged, "implausible raw size " + std::to_string(rawBytes));
        return false;
    }
    if (compressedBytes > remaining - sizeof head) {
        fail(ReadOutcome::Truncated, "the file ends inside a frame (" +
                                         std::to_string(remaining - sizeof head) + " of " +
                                         std::to_string(compressedBytes) + " bytes present)");
        return false;
    }
    if (!readFrameBytes(compressedBytes, rawBytes)) return false;

    m_decoder.reset(m_raw.data(), rawBytes);
    bool sawEnd = false;
    while (!m_decoder.atEnd()) {
        if (!m_decoder.next(m_scratch)) {
            fail(ReadOutcome::Damaged, m_decoder.error());
            return false;
        }
        sawEnd = sawEnd || std::holds_alternative<EndRecord>(m_scratch);
    }
    m_sawEnd = m_sawEnd || sawEnd;
    m_offset += sizeof head + compressedBytes;
    m_lastGoodFrameEnd = m_offset;
    m_decoder.reset(m_raw.data(), rawBytes);
    return true;
}

bool TraceReader::readFrameBytes(std::uint32_t compressedBytes, std::uint32_t rawBytes) {
    if (m_compressed.size() < compressedBytes) m_compressed.resize(compressedBytes);
    if (!readAll(m_compressed.data(), compressedBytes)) {
        fail(ReadOutcome::Truncated, "the file ends inside a frame");
        return false;
    }
    // The zstd frame states its own size: check it before sizing the buffer for it.
    const unsigned long long declared =
        ZSTD_getFrameContentSize(m_compressed.data(), compressedBytes);
    if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN) {
        fail(ReadOutcome::Damaged, "not a zstd frame with a content size");
        return false;
    }
    if (declared != rawBytes) {
        fail(ReadOutcome::Damaged, "raw size mismatch: header says " + std::to_string(rawBytes) +
                                       " bytes, zstd frame says " + std::to_string(declared));
        return false;
    }
    if (m_raw.size() < rawBytes) m_raw.resize(rawBytes);
    const std::size_t got = ZSTD_decompressDCtx(context(m_zstd), m_raw.data(), rawBytes,
                                                m_compressed.data(), compressedBytes);
    if (ZSTD_isError(got)) {
        fail(ReadOutcome::Damaged, std::string("zstd: ") + ZSTD_getErrorName(got));
        return false;
    }
    if (got != rawBytes) {
        fail(ReadOutcome::Damaged, "raw size mismatch: header says " + std::to_string(rawBytes) +
                                       " bytes, frame holds " + std::to_string(got));
        return false;
    }
    return true;
}

bool TraceReader::readAll(std::uint8_t* out, std::size_t size) {
    return std::fread(out, 1, size, m_file) == size;
}

void TraceReader::fail(ReadOutcome outcome, const std::string& why) {
    m_outcome = outcome;
    m_decoder.reset(nullptr, 0);
    if (outcome == ReadOutcome::Damaged)
        m_error = "damaged frame at byte " + std::to_string(m_frameOffset) + ": " + why;
    else
        m_error = "truncated at byte " + std::to_string(m_frameOffset) + ": " + why;
}

} // namespace heapscope::format
