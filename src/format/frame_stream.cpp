// format: FrameStream: frame loading (marker, sizes, zstd with checksum) and the frame's records
// decoded into batches.
#include "format/frame_stream.h"

#include <zstd.h>

#include <new>

#include "format/layout.h"

namespace heapscope::format {
namespace {

ZSTD_DCtx* context(void* p) { return static_cast<ZSTD_DCtx*>(p); }

// The most compressed bytes a frame of kMaxFrameRawBytes can take.
constexpr std::uint64_t kMaxFrameCompressedBytes = ZSTD_COMPRESSBOUND(kMaxFrameRawBytes);

} // namespace

FrameStream::FrameStream() = default;

FrameStream::~FrameStream() { ZSTD_freeDCtx(context(m_zstd)); }

bool FrameStream::start(std::FILE* file, std::uint64_t offset, std::uint64_t fileSize,
                        std::uint64_t timeQuantumNs) {
    m_file = file;
    m_decoder.setTimeQuantum(timeQuantumNs);
    m_fileSize = fileSize;
    m_offset = m_lastGoodFrameEnd = m_frameOffset = offset;
    // Where reading starts later than the first frame (a seek), the End record is further on.
    m_sawEnd = false;
    m_outcome = ReadOutcome::Reading;
    m_error.clear();
    m_decoder.reset(nullptr, 0);
    if (m_zstd == nullptr && (m_zstd = ZSTD_createDCtx()) == nullptr) return false;
    return offset <= fileSize && ::fseeko(file, static_cast<off_t>(offset), SEEK_SET) == 0;
}

void FrameStream::fill(RecordBatch& batch) {
    batch.count = 0;
    try {
        fillFromFrame(batch);
    } catch (const std::bad_alloc&) {
        // A hostile frame can claim up to kMaxFrameRawBytes; running out of memory for it is
        // one more reason to stop, not a crash (this may run on the prefetch thread).
        fail(ReadOutcome::Damaged, "out of memory");
    }
    batch.frameOffset = m_frameOffset;
    batch.offset = m_offset;
    batch.lastGoodFrameEnd = m_lastGoodFrameEnd;
    batch.final = m_outcome != ReadOutcome::Reading;
    batch.outcome = m_outcome;
    if (batch.final) batch.error = m_error;
}

void FrameStream::fillFromFrame(RecordBatch& batch) {
    if (m_outcome != ReadOutcome::Reading || m_file == nullptr) return;
    if (m_decoder.atEnd() && !loadNextFrame()) return;
    if (batch.records.size() < RecordBatch::kMaxRecords)
        batch.records.resize(RecordBatch::kMaxRecords);
    if (!m_decoder.nextMany(batch.records.data(), RecordBatch::kMaxRecords, batch.count)) {
        // The records before the one that does not decode are delivered with the batch.
        fail(ReadOutcome::Damaged, m_decoder.error());
        return;
    }
    if (m_decoder.atEnd()) {
        m_lastGoodFrameEnd = m_offset;
        m_sawEnd = m_sawEnd || m_decoder.sawEnd();
    }
}

bool FrameStream::loadNextFrame() {
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

    m_offset += sizeof head + compressedBytes;
    m_decoder.reset(m_raw.data(), rawBytes);
    return true;
}

bool FrameStream::readFrameBytes(std::uint32_t compressedBytes, std::uint32_t rawBytes) {
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

bool FrameStream::readAll(std::uint8_t* out, std::size_t size) {
    return std::fread(out, 1, size, m_file) == size;
}

void FrameStream::fail(ReadOutcome outcome, const std::string& why) {
    m_outcome = outcome;
    m_decoder.reset(nullptr, 0);
    if (outcome == ReadOutcome::Damaged)
        m_error = "damaged frame at byte " + std::to_string(m_frameOffset) + ": " + why;
    else
        m_error = "truncated at byte " + std::to_string(m_frameOffset) + ": " + why;
}

} // namespace heapscope::format
