// format: TraceWriter encodes records into frames (tag byte + varints, deltas reset per frame)
// and writes each frame zstd-compressed. Used by the recorder's writer thread and by `run`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/layout.h"
#include "format/recent_allocs.h"
#include "format/recent_frees.h"
#include "format/records.h"

namespace heapscope::format {

class TraceWriter {
public:
    TraceWriter();
    ~TraceWriter();
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;

    // Takes ownership of fd (closed by close()/the destructor) and writes the header. Fails on
    // a time quantum outside [1, layout::kMaxTimeQuantumNs].
    [[nodiscard]] bool openFd(int fd, const TraceHeader& header);
    // Creates or truncates path and writes the header.
    [[nodiscard]] bool open(const std::string& path, const TraceHeader& header);
    // Opens an existing trace to append frames after its last complete one (used by `run` to
    // add the exit status), in the trace's own version and time quantum. Fails if the file is
    // not a trace.
    [[nodiscard]] bool openAppend(const std::string& path);

    // Encoding appends to the current frame; nothing reaches the file until flush().
    void write(const ModuleRecord& r);
    void write(const ModuleUnloadRecord& r);
    void write(const StackNodeRecord& r);
    void write(const ThreadRecord& r);
    void write(const ThreadEndRecord& r);
    void write(const AllocRecord& r);
    void write(const FreeRecord& r);
    void write(const RssRecord& r);
    void write(const MarkRecord& r);
    void write(const ErrorRecord& r);
    void write(const LeakVerdictRecord& r);
    void write(const EndRecord& r);
    void write(const ExitStatusRecord& r);
    void write(const LeakCheckRecord& r);
    void write(const RecordingRecord& r);
    void write(const Record& r);

    // Raw (uncompressed) bytes waiting in the current frame.
    std::size_t pendingBytes() const { return m_frame.size(); }
    // Compresses the current frame and writes it whole. Returns false on an I/O error.
    [[nodiscard]] bool flush();
    // Flushes and closes the file.
    [[nodiscard]] bool close();
    bool isOpen() const { return m_fd >= 0; }
    // Closes the descriptor without flushing (a forked child dropping its parent's writer).
    void abandon();

private:
    // Every record starts here: closes an over-full frame first, then writes the tag (after a
    // ThreadSwitch when the record's thread differs from the frame's current one).
    void beginRecord(RecordTag tag);
    void beginRecord(RecordTag tag, ThreadIndex thread);
    // Staged bytes join the frame: at each record's end, and early before a string or when the
    // staging buffer is full.
    void commitStaged();
    // The state every frame starts from (deltas, recent allocs and frees): frames decode alone.
    void startFrame();
    void flushIfFull();
    void putByte(std::uint8_t b);
    void putVarint(std::uint64_t v);
    void putSigned(std::int64_t v);
    void putTime(std::uint64_t timeNs);
    void putAddress(std::uint64_t address);
    void putStack(StackId id);
    void putBytes(const std::string& s);
    void putThread(ThreadIndex thread);
    bool writeAll(const void* data, std::size_t size);
    bool startFile(int fd);

    int m_fd = -1;
    std::vector<std::uint8_t> m_frame;
    std::uint64_t m_timeQuantumNs = 1;
    // Fields are staged here and appended to m_frame once per record (one append instead of
    // one per field); strings and long records spill early.
    std::uint8_t m_staged[64] = {};
    std::size_t m_stagedBytes = 0;
    std::vector<std::uint8_t> m_compressed;
    void* m_zstd = nullptr;         // ZSTD_CCtx*, kept across frames
    bool m_autoFlushFailed = false; // reported by the next flush()
    layout::DeltaState m_delta;     // reset by startFrame()
    RecentAllocs m_recentAllocs;    // reset by startFrame()
    RecentFrees m_recentFrees;      // reset by startFrame()
    // FreeRecent and AllocReuse exist from version 3 on; a trace opened to append keeps its
    // version.
    bool m_shortForms = true;
};

} // namespace heapscope::format
