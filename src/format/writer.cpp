// format: TraceWriter: record encoding (tag byte + varints, per-frame deltas), zstd framing and
// the write(2) loop. The byte layout of every record is in docs/format.md.
#include "format/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>

#include "format/header_codec.h"
#include "format/layout.h"

namespace heapscope::format {
namespace {

// Level 1 over level 3: 9.9 instead of 8.5 bytes per Alloc+Free pair, for less than half the
// writer thread's CPU time (18 vs 8 M records/s; format_bench, docs/format.md).
constexpr int kCompressionLevel = 1;

ZSTD_CCtx* context(void* p) { return static_cast<ZSTD_CCtx*>(p); }

bool readAt(int fd, std::uint8_t* out, std::size_t size, std::uint64_t offset) {
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
    return true;
}

// The end of the last frame whose frame header is sound and whose bytes are all in the file.
// Frame contents are not decompressed: a partial frame at the end (a killed program) is what
// this looks for, and the reader checks the rest.
std::uint64_t endOfCompleteFrames(int fd, std::uint64_t offset, std::uint64_t fileSize) {
    std::uint8_t head[layout::kFrameHeaderBytes];
    while (fileSize - offset >= layout::kFrameHeaderBytes &&
           readAt(fd, head, sizeof head, offset)) {
        const std::uint32_t compressed = layout::loadLe32(head + 4);
        const std::uint32_t raw = layout::loadLe32(head + 8);
        if (layout::loadLe32(head) != kFrameMarker || compressed == 0 || raw == 0 ||
            raw > kMaxFrameRawBytes || compressed > fileSize - offset - layout::kFrameHeaderBytes)
            break;
        offset += layout::kFrameHeaderBytes + compressed;
    }
    return offset;
}

} // namespace

TraceWriter::TraceWriter() = default;

TraceWriter::~TraceWriter() {
    (void)close();
    ZSTD_freeCCtx(context(m_zstd));
}

bool TraceWriter::startFile(int fd) {
    if (isOpen()) (void)close();
    m_fd = fd;
    m_frame.clear();
    m_stagedBytes = 0;
    m_autoFlushFailed = false;
    startFrame();
    m_shortForms = true;
    if (m_fd < 0) return false;
    if (m_zstd == nullptr) {
        ZSTD_CCtx* cctx = ZSTD_createCCtx();
        if (cctx == nullptr) return false;
        // The content checksum lets the reader tell a flipped bit from a valid frame.
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, kCompressionLevel);
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
        m_zstd = cctx;
    }
    return true;
}

bool TraceWriter::openFd(int fd, const TraceHeader& header) {
    if (!startFile(fd)) return false;
    m_timeQuantumNs = header.timeQuantumNs;
    const std::vector<std::uint8_t> bytes = encodeHeader(header);
    if (m_timeQuantumNs != 0 && m_timeQuantumNs <= layout::kMaxTimeQuantumNs &&
        writeAll(bytes.data(), bytes.size()))
        return true;
    abandon();
    return false;
}

bool TraceWriter::open(const std::string& path, const TraceHeader& header) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return openFd(fd, header);
}

bool TraceWriter::openAppend(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (!startFile(fd)) return false;
    struct stat st {};
    std::uint8_t prefix[layout::kHeaderPrefixBytes];
    std::uint16_t version = 0;
    std::uint32_t bodyBytes = 0;
    std::string why;
    const bool headerOk =
        ::fstat(fd, &st) == 0 &&
        decodeHeaderPrefix(prefix, readAt(fd, prefix, sizeof prefix, 0) ? sizeof prefix : 0,
                           version, bodyBytes, why);
    const std::uint64_t fileSize = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t framesStart = layout::kHeaderPrefixBytes + std::uint64_t{bodyBytes};
    std::vector<std::uint8_t> body(headerOk ? bodyBytes : 0);
    TraceHeader header;
    header.version = version;
    if (!headerOk || framesStart > fileSize ||
        !readAt(fd, body.data(), body.size(), sizeof prefix) ||
        !decodeHeaderBody(body.data(), body.size(), header, why)) {
        abandon();
        return false;
    }
    m_timeQuantumNs = header.timeQuantumNs;
    m_shortForms = version >= kFirstVersionWithShortForms;
    const std::uint64_t end = endOfCompleteFrames(fd, framesStart, fileSize);
    if (::ftruncate(fd, static_cast<off_t>(end)) != 0 ||
        ::lseek(fd, static_cast<off_t>(end), SEEK_SET) < 0) {
        abandon();
        return false;
    }
    return true;
}

void TraceWriter::startFrame() {
    m_delta = {};
    m_recentAllocs.newFrame();
    m_recentFrees.clear();
}

void TraceWriter::flushIfFull() {
    if (m_frame.size() >= layout::kAutoFlushBytes && !flush()) m_autoFlushFailed = true;
}

void TraceWriter::beginRecord(RecordTag tag) {
    flushIfFull();
    putByte(static_cast<std::uint8_t>(tag));
}

void TraceWriter::beginRecord(RecordTag tag, ThreadIndex thread) {
    flushIfFull();
    putThread(thread);
    putByte(static_cast<std::uint8_t>(tag));
}

void TraceWriter::commitStaged() {
    m_frame.insert(m_frame.end(), m_staged, m_staged + m_stagedBytes);
    m_stagedBytes = 0;
}

void TraceWriter::putByte(std::uint8_t b) {
    if (m_stagedBytes == sizeof m_staged) commitStaged();
    m_staged[m_stagedBytes++] = b;
}

void TraceWriter::putVarint(std::uint64_t v) {
    if (m_stagedBytes + kMaxVarintBytes > sizeof m_staged) commitStaged();
    m_stagedBytes += encodeVarint(v, m_staged + m_stagedBytes);
}

void TraceWriter::putSigned(std::int64_t v) { putVarint(zigzagEncode(v)); }

void TraceWriter::putTime(std::uint64_t timeNs) {
    // Rounded down to the quantum: the merged order of records (never decreasing times) stays.
    // The usual quanta get a division by a constant, which compiles to a multiply: a division
    // by a variable cost a fifth of the writer's time.
    const std::uint64_t time = m_timeQuantumNs == 1      ? timeNs
                               : m_timeQuantumNs == 1000 ? timeNs / 1000
                                                         : timeNs / m_timeQuantumNs;
    putSigned(static_cast<std::int64_t>(time - m_delta.lastTime));
    m_delta.lastTime = time;
}

void TraceWriter::putAddress(std::uint64_t address) {
    putSigned(static_cast<std::int64_t>(address - m_delta.lastAddress));
    m_delta.lastAddress = address;
}

void TraceWriter::putStack(StackId id) {
    putSigned(static_cast<std::int64_t>(id.value - m_delta.lastStackId));
    m_delta.lastStackId = id.value;
}

void TraceWriter::putBytes(const std::string& s) {
    commitStaged();
    layout::appendString(m_frame, s);
}

void TraceWriter::putThread(ThreadIndex thread) {
    if (thread.value == m_delta.currentThread) return;
    putByte(static_cast<std::uint8_t>(RecordTag::ThreadSwitch));
    putVarint(thread.value);
    m_delta.currentThread = thread.value;
}

void TraceWriter::write(const ModuleRecord& r) {
    beginRecord(RecordTag::Module);
    putVarint(r.id.value);
    putTime(r.timeNs);
    putVarint(r.bias);
    putBytes(r.path);
    putBytes(r.buildId);
    putVarint(r.segments.size());
    for (const Segment& s : r.segments) {
        putVarint(s.start);
        putVarint(s.size);
    }
    commitStaged();
}

void TraceWriter::write(const ModuleUnloadRecord& r) {
    beginRecord(RecordTag::ModuleUnload);
    putVarint(r.id.value);
    putTime(r.timeNs);
    commitStaged();
}

void TraceWriter::write(const StackNodeRecord& r) {
    beginRecord(RecordTag::StackNode);
    putStack(r.id);
    putStack(r.parent);
    putSigned(static_cast<std::int64_t>(r.returnAddress - m_delta.lastReturnAddress));
    m_delta.lastReturnAddress = r.returnAddress;
    commitStaged();
}

void TraceWriter::write(const ThreadRecord& r) {
    beginRecord(RecordTag::Thread);
    putVarint(r.thread.value);
    putTime(r.timeNs);
    putVarint(r.tid);
    putBytes(r.name);
    commitStaged();
}

void TraceWriter::write(const ThreadEndRecord& r) {
    beginRecord(RecordTag::ThreadEnd);
    putVarint(r.thread.value);
    putTime(r.timeNs);
    commitStaged();
}

void TraceWriter::write(const AllocRecord& r) {
    // Asked before beginRecord(), which may start a new frame that knows no Free yet.
    flushIfFull();
    const std::uint32_t rank = m_shortForms ? m_recentFrees.rankOf(r.address) : 0;
    beginRecord(rank != 0 ? RecordTag::AllocReuse : RecordTag::Alloc, r.thread);
    putTime(r.timeNs);
    if (rank != 0) {
        putVarint(rank);
        m_recentFrees.take(rank);
        m_delta.lastAddress = r.address; // as an Alloc with its address would leave it
    } else {
        putAddress(r.address);
    }
    putVarint(r.size);
    putStack(r.stack);
    putByte(static_cast<std::uint8_t>(r.family));
    commitStaged();
    m_recentAllocs.noteAlloc(r.address);
}

void TraceWriter::write(const FreeRecord& r) {
    // Asked before beginRecord(), which may start a new frame that knows no Alloc yet.
    flushIfFull();
    const std::uint32_t back = m_shortForms ? m_recentAllocs.distanceTo(r.address) : 0;
    beginRecord(back != 0 ? RecordTag::FreeRecent : RecordTag::Free, r.thread);
    putTime(r.timeNs);
    if (back != 0) {
        putVarint(back);
        m_delta.lastAddress = r.address; // as a Free with its address would leave it
    } else {
        putAddress(r.address);
    }
    putByte(static_cast<std::uint8_t>(r.family));
    commitStaged();
    m_recentFrees.noteFree(r.address);
}

void TraceWriter::write(const RssRecord& r) {
    beginRecord(RecordTag::Rss);
    putTime(r.timeNs);
    putVarint(r.rssBytes);
    commitStaged();
}

void TraceWriter::write(const MarkRecord& r) {
    beginRecord(RecordTag::Mark, r.thread);
    putTime(r.timeNs);
    putBytes(r.name);
    commitStaged();
}

void TraceWriter::write(const ErrorRecord& r) {
    beginRecord(RecordTag::Error, r.thread);
    putTime(r.timeNs);
    putByte(static_cast<std::uint8_t>(r.kind));
    putAddress(r.address);
    putVarint(r.size);
    putStack(r.stack);
    putStack(r.allocStack);
    putStack(r.freeStack);
    putVarint(r.offset);
    commitStaged();
}

void TraceWriter::write(const LeakVerdictRecord& r) {
    beginRecord(RecordTag::LeakVerdict);
    putAddress(r.address);
    putByte(static_cast<std::uint8_t>(r.kind));
    // Relative to the block (one byte when there is none): an owner is never the block itself,
    // so 0 can mean "no owner".
    putSigned(r.owner == 0 ? 0 : static_cast<std::int64_t>(r.owner - r.address));
    commitStaged();
}

void TraceWriter::write(const EndRecord& r) {
    beginRecord(RecordTag::End);
    putTime(r.timeNs);
    commitStaged();
}

void TraceWriter::write(const ExitStatusRecord& r) {
    beginRecord(RecordTag::ExitStatus);
    putByte(r.signaled ? 1 : 0);
    putSigned(r.code);
    commitStaged();
}

void TraceWriter::write(const LeakCheckRecord& r) {
    beginRecord(RecordTag::LeakCheck);
    putTime(r.timeNs);
    putByte(r.atExit ? 1 : 0);
    for (const LeakTotal& total : r.totals) {
        putVarint(total.bytes);
        putVarint(total.blocks);
    }
    commitStaged();
}

void TraceWriter::write(const RecordingRecord& r) {
    beginRecord(RecordTag::Recording);
    putTime(r.timeNs);
    putByte(r.on ? 1 : 0);
    commitStaged();
}

void TraceWriter::write(const Record& r) {
    std::visit([this](const auto& alternative) { write(alternative); }, r);
}

bool TraceWriter::flush() {
    bool ok = !m_autoFlushFailed;
    m_autoFlushFailed = false;
    if (m_frame.empty()) return ok;
    if (m_fd < 0) return false;
    const std::size_t bound = ZSTD_compressBound(m_frame.size());
    if (m_compressed.size() < layout::kFrameHeaderBytes + bound)
        m_compressed.resize(layout::kFrameHeaderBytes + bound);
    const std::size_t compressed =
        ZSTD_compress2(context(m_zstd), m_compressed.data() + layout::kFrameHeaderBytes, bound,
                       m_frame.data(), m_frame.size());
    if (ZSTD_isError(compressed)) {
        ok = false;
    } else {
        layout::storeLe32(m_compressed.data(), kFrameMarker);
        layout::storeLe32(m_compressed.data() + 4, static_cast<std::uint32_t>(compressed));
        layout::storeLe32(m_compressed.data() + 8, static_cast<std::uint32_t>(m_frame.size()));
        ok = writeAll(m_compressed.data(), layout::kFrameHeaderBytes + compressed) && ok;
    }
    m_frame.clear();
    startFrame();
    return ok;
}

bool TraceWriter::close() {
    if (m_fd < 0) return true;
    const bool flushed = flush();
    const bool closed = ::close(m_fd) == 0;
    m_fd = -1;
    return flushed && closed;
}

void TraceWriter::abandon() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    m_frame.clear();
    startFrame();
}

bool TraceWriter::writeAll(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    while (size > 0) {
        const ssize_t n = ::write(m_fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace heapscope::format
