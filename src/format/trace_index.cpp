// format: the trace index file (TRACE.hsi): a fixed prefix, a zstd-compressed directory (frames
// and checkpoints) and one zstd-compressed blob per checkpoint. docs/format.md has the layout.
#include "format/trace_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "format/layout.h"

namespace heapscope::format {
namespace {

// magic[8] | u32 version | u32 reserved (0) | u64 directory offset | u64 directory bytes,
// little-endian. The directory comes last, after the checkpoint blobs.
constexpr std::size_t kIndexPrefixBytes = 32;
// Caps on what a hostile index can make the reader allocate.
constexpr std::uint64_t kMaxDirectoryRawBytes = 256u << 20;
constexpr std::uint64_t kMaxCheckpointRawBytes = 1u << 30;
// The smallest encodings of a frame and a checkpoint entry, to bound their counts.
constexpr std::uint64_t kMinFrameBytes = 5;
constexpr std::uint64_t kMinCheckpointBytes = 6;
constexpr std::uint64_t kMinBlockBytes = 6;
// The longest encoding of a checkpoint entry: five varints and the family byte.
constexpr std::uint64_t kMaxBlockBytes = 5 * kMaxVarintBytes + 1;
constexpr int kCompressionLevel = 3;

void storeLe64(std::uint8_t* p, std::uint64_t v) {
    layout::storeLe32(p, static_cast<std::uint32_t>(v));
    layout::storeLe32(p + 4, static_cast<std::uint32_t>(v >> 32));
}

std::uint64_t loadLe64(const std::uint8_t* p) {
    return layout::loadLe32(p) | (std::uint64_t{layout::loadLe32(p + 4)} << 32);
}

std::vector<std::uint8_t> compress(const std::vector<std::uint8_t>& raw) {
    std::vector<std::uint8_t> out(ZSTD_compressBound(raw.size()));
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, kCompressionLevel);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    const std::size_t got = ZSTD_compress2(cctx, out.data(), out.size(), raw.data(), raw.size());
    ZSTD_freeCCtx(cctx);
    out.resize(ZSTD_isError(got) ? 0 : got);
    return out;
}

bool decompress(const std::vector<std::uint8_t>& in, std::uint64_t maxRaw,
                std::vector<std::uint8_t>& out, std::string& why) {
    const unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN ||
        declared > maxRaw) {
        why = "not a zstd frame of a plausible size";
        return false;
    }
    out.resize(declared);
    const std::size_t got = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(got) || got != declared) {
        why = ZSTD_isError(got) ? std::string("zstd: ") + ZSTD_getErrorName(got)
                                : std::string("zstd frame shorter than declared");
        return false;
    }
    return true;
}

// Reads size bytes at offset; false at the end of the file or on an error.
bool readAt(int fd, std::uint64_t offset, std::size_t size, std::vector<std::uint8_t>& out) {
    out.resize(size);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t got =
            ::pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
        if (got <= 0) {
            if (got < 0 && errno == EINTR) continue;
            return false;
        }
        done += static_cast<std::size_t>(got);
    }
    return true;
}

// Closes a descriptor on every path out of a function.
class FdCloser {
public:
    explicit FdCloser(int fd) : m_fd(fd) {}
    ~FdCloser() {
        if (m_fd >= 0) ::close(m_fd);
    }
    FdCloser(const FdCloser&) = delete;
    FdCloser& operator=(const FdCloser&) = delete;

private:
    int m_fd;
};

std::vector<std::uint8_t> encodeDirectory(const TraceIndex& index) {
    std::vector<std::uint8_t> raw;
    layout::appendVarint(raw, index.traceBytes);
    layout::appendVarint(raw, zigzagEncode(index.traceMtimeNs));
    layout::appendVarint(raw, index.events);
    layout::appendVarint(raw, index.peakHeapBytes);
    layout::appendVarint(raw, index.peakTimeNs);
    layout::appendString(raw, index.readProblem);
    layout::appendVarint(raw, index.frames.size());
    std::uint64_t lastOffset = 0;
    for (const IndexFrame& f : index.frames) {
        layout::appendVarint(raw, f.offset - lastOffset);
        lastOffset = f.offset;
        layout::appendVarint(raw, f.minTimeNs);
        layout::appendVarint(raw, f.maxTimeNs - f.minTimeNs);
        layout::appendVarint(raw, f.records);
        raw.push_back(static_cast<std::uint8_t>((f.structural ? 1 : 0) | (f.timed ? 2 : 0)));
    }
    layout::appendVarint(raw, index.checkpoints.size());
    for (const IndexCheckpoint& c : index.checkpoints) {
        for (const std::uint64_t v :
             {c.frame, c.maxTimeBeforeNs, c.heapBytes, c.blocks, c.blobOffset, c.blobBytes})
            layout::appendVarint(raw, v);
    }
    return raw;
}

bool decodeFrames(layout::ByteCursor& in, TraceIndex& out, std::string& why) {
    std::uint64_t count = 0;
    if (!in.varint(count)) return false;
    if (count > static_cast<std::uint64_t>(in.end - in.p) / kMinFrameBytes) {
        why = "frame count past the end of the directory";
        return false;
    }
    out.frames.resize(count);
    std::uint64_t offset = 0;
    for (IndexFrame& f : out.frames) {
        std::uint64_t delta = 0, span = 0;
        std::uint8_t flags = 0;
        if (!in.varint(delta) || !in.varint(f.minTimeNs) || !in.varint(span) ||
            !in.varint(f.records) || !in.byte(flags))
            return false;
        // Offsets strictly increase and stay inside the trace; times do not wrap.
        if (delta == 0 || delta >= out.traceBytes - offset || span > ~f.minTimeNs || flags > 3) {
            why = "frame entry out of range";
            return false;
        }
        offset += delta;
        f.offset = offset;
        f.maxTimeNs = f.minTimeNs + span;
        f.structural = (flags & 1) != 0;
        f.timed = (flags & 2) != 0;
    }
    return true;
}

bool decodeCheckpoints(layout::ByteCursor& in, TraceIndex& out, std::uint64_t blobsEnd,
                       std::string& why) {
    std::uint64_t count = 0;
    if (!in.varint(count)) return false;
    if (count > static_cast<std::uint64_t>(in.end - in.p) / kMinCheckpointBytes) {
        why = "checkpoint count past the end of the directory";
        return false;
    }
    out.checkpoints.resize(count);
    std::uint64_t nextFrame = 0;
    std::uint64_t recordsBefore = 0; // of the frames before the checkpoint's: each live block
    std::size_t framesCounted = 0;   // there has its Alloc record among them
    for (IndexCheckpoint& c : out.checkpoints) {
        if (!in.varint(c.frame) || !in.varint(c.maxTimeBeforeNs) || !in.varint(c.heapBytes) ||
            !in.varint(c.blocks) || !in.varint(c.blobOffset) || !in.varint(c.blobBytes))
            return false;
        if (c.frame < nextFrame || c.frame >= out.frames.size() || c.blobBytes == 0 ||
            c.blobOffset < kIndexPrefixBytes || c.blobOffset > blobsEnd ||
            c.blobBytes > blobsEnd - c.blobOffset) {
            why = "checkpoint entry out of range";
            return false;
        }
        for (; framesCounted < c.frame; ++framesCounted) {
            const std::uint64_t records = out.frames[framesCounted].records;
            recordsBefore = records > ~recordsBefore ? ~std::uint64_t{0} : recordsBefore + records;
        }
        if (c.blocks > recordsBefore) {
            why = "checkpoint with more blocks than records before it";
            return false;
        }
        nextFrame = c.frame + 1;
    }
    return true;
}

} // namespace

IndexFileWriter::~IndexFileWriter() { abandon(); }

void IndexFileWriter::abandon() {
    if (m_file == nullptr) return;
    std::fclose(m_file);
    m_file = nullptr;
    std::remove(m_temporary.c_str());
}

bool IndexFileWriter::open(const std::string& path) {
    abandon();
    m_path = path;
    m_temporary = path + ".tmp" + std::to_string(::getpid());
    m_file = std::fopen(m_temporary.c_str(), "wbe");
    if (m_file == nullptr) return false;
    // The prefix is written again at the end, once the directory's place is known.
    const std::uint8_t prefix[kIndexPrefixBytes] = {};
    m_offset = kIndexPrefixBytes;
    if (std::fwrite(prefix, 1, sizeof prefix, m_file) != sizeof prefix) abandon();
    return m_file != nullptr;
}

bool IndexFileWriter::addCheckpoint(const std::vector<std::uint8_t>& blob,
                                    IndexCheckpoint& checkpoint) {
    if (m_file == nullptr || blob.empty() ||
        std::fwrite(blob.data(), 1, blob.size(), m_file) != blob.size()) {
        abandon();
        return false;
    }
    checkpoint.blobOffset = m_offset;
    checkpoint.blobBytes = blob.size();
    m_offset += blob.size();
    return true;
}

bool IndexFileWriter::finish(const TraceIndex& index, std::string& why) {
    if (m_file == nullptr) {
        why = "cannot write " + m_path;
        return false;
    }
    const std::vector<std::uint8_t> directory = compress(encodeDirectory(index));
    std::uint8_t prefix[kIndexPrefixBytes] = {};
    std::memcpy(prefix, kIndexMagic, sizeof kIndexMagic);
    layout::storeLe32(prefix + 8, kIndexVersion);
    storeLe64(prefix + 16, m_offset);
    storeLe64(prefix + 24, directory.size());
    bool ok = !directory.empty() &&
              std::fwrite(directory.data(), 1, directory.size(), m_file) == directory.size() &&
              std::fseek(m_file, 0, SEEK_SET) == 0 &&
              std::fwrite(prefix, 1, sizeof prefix, m_file) == sizeof prefix;
    ok = std::fclose(m_file) == 0 && ok;
    m_file = nullptr;
    if (!ok || std::rename(m_temporary.c_str(), m_path.c_str()) != 0) {
        why = "cannot write " + m_path + ": " + std::strerror(errno);
        std::remove(m_temporary.c_str());
        return false;
    }
    return true;
}

bool readIndex(const std::string& path, TraceIndex& out, std::string& why) {
    out = TraceIndex{};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        why = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    FdCloser closer(fd);
    struct stat st {};
    std::vector<std::uint8_t> bytes;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !readAt(fd, 0, kIndexPrefixBytes, bytes) ||
        std::memcmp(bytes.data(), kIndexMagic, sizeof kIndexMagic) != 0) {
        why = path + " is not a heapscope trace index";
        return false;
    }
    if (layout::loadLe32(bytes.data() + 8) != kIndexVersion) {
        why = path + ": index version " + std::to_string(layout::loadLe32(bytes.data() + 8)) +
              " is not " + std::to_string(kIndexVersion);
        return false;
    }
    const auto fileBytes = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t directoryOffset = loadLe64(bytes.data() + 16);
    const std::uint64_t directoryBytes = loadLe64(bytes.data() + 24);
    std::vector<std::uint8_t> raw;
    if (directoryOffset < kIndexPrefixBytes || directoryOffset > fileBytes || directoryBytes == 0 ||
        directoryBytes != fileBytes - directoryOffset ||
        !readAt(fd, directoryOffset, directoryBytes, bytes) ||
        !decompress(bytes, kMaxDirectoryRawBytes, raw, why)) {
        why = path + ": damaged index directory" + (why.empty() ? "" : ": " + why);
        return false;
    }
    layout::ByteCursor in{raw.data(), raw.data() + raw.size()};
    std::uint64_t mtime = 0;
    const bool ok = in.varint(out.traceBytes) && in.varint(mtime) && in.varint(out.events) &&
                    in.varint(out.peakHeapBytes) && in.varint(out.peakTimeNs) &&
                    in.string(out.readProblem) && decodeFrames(in, out, why) &&
                    decodeCheckpoints(in, out, directoryOffset, why) && in.p == in.end;
    if (!ok) {
        if (why.empty()) why = in.why != nullptr ? in.why : "bytes after the directory's end";
        why = path + ": damaged index directory: " + why;
        out = TraceIndex{};
        return false;
    }
    out.traceMtimeNs = zigzagDecode(mtime);
    return true;
}

std::vector<std::uint8_t> encodeCheckpoint(std::vector<CheckpointBlock> blocks) {
    std::sort(blocks.begin(), blocks.end(), [](const CheckpointBlock& a, const CheckpointBlock& b) {
        return a.address < b.address;
    });
    std::vector<std::uint8_t> raw;
    raw.reserve(blocks.size() * 12 + 8);
    layout::appendVarint(raw, blocks.size());
    std::uint64_t lastAddress = 0;
    for (const CheckpointBlock& b : blocks) {
        layout::appendVarint(raw, b.address - lastAddress); // sorted: never negative
        lastAddress = b.address;
        layout::appendVarint(raw, b.size);
        layout::appendVarint(raw, b.stack.value);
        layout::appendVarint(raw, b.thread.value);
        layout::appendVarint(raw, b.timeNs);
        raw.push_back(static_cast<std::uint8_t>(b.family));
    }
    return compress(raw);
}

bool readCheckpointBlob(const std::string& path, const IndexCheckpoint& checkpoint,
                        std::vector<std::uint8_t>& out, std::string& why) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        why = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    FdCloser closer(fd);
    if (!readAt(fd, checkpoint.blobOffset, checkpoint.blobBytes, out)) {
        why = path + ": the checkpoint at byte " + std::to_string(checkpoint.blobOffset) +
              " is cut short";
        return false;
    }
    return true;
}

bool decodeCheckpoint(const std::vector<std::uint8_t>& blob, const IndexCheckpoint& checkpoint,
                      std::vector<CheckpointBlock>& out, std::string& why) {
    out.clear();
    // The raw bytes a checkpoint of this many blocks can have: a hostile blob declaring more
    // is refused before anything is allocated for it.
    const std::uint64_t maxRaw = checkpoint.blocks > kMaxCheckpointRawBytes / kMaxBlockBytes
                                     ? kMaxCheckpointRawBytes
                                     : kMaxVarintBytes + checkpoint.blocks * kMaxBlockBytes;
    std::vector<std::uint8_t> raw;
    if (!decompress(blob, maxRaw, raw, why)) {
        why = "damaged checkpoint: " + why;
        return false;
    }
    layout::ByteCursor in{raw.data(), raw.data() + raw.size()};
    std::uint64_t count = 0;
    bool ok = in.varint(count) && count == checkpoint.blocks &&
              count <= static_cast<std::uint64_t>(in.end - in.p) / kMinBlockBytes;
    if (ok) out.resize(count);
    std::uint64_t address = 0, heapBytes = 0;
    for (std::size_t i = 0; ok && i < out.size(); ++i) {
        CheckpointBlock& b = out[i];
        std::uint64_t delta = 0, stack = 0, thread = 0;
        std::uint8_t family = 0;
        ok = in.varint(delta) && in.varint(b.size) && in.varint(stack) && in.varint(thread) &&
             in.varint(b.timeNs) && in.byte(family) && stack <= UINT32_MAX &&
             thread <= UINT32_MAX && family < kAllocFamilyCount && (i == 0 || delta != 0);
        address += delta;
        heapBytes += b.size;
        b.address = address;
        b.stack = StackId{static_cast<std::uint32_t>(stack)};
        b.thread = ThreadIndex{static_cast<std::uint32_t>(thread)};
        b.family = static_cast<AllocFamily>(family);
    }
    if (!ok || in.p != in.end || heapBytes != checkpoint.heapBytes) {
        why = "damaged checkpoint at byte " + std::to_string(checkpoint.blobOffset);
        out.clear();
        return false;
    }
    return true;
}

} // namespace heapscope::format
