// analysis: time windows. WindowReplay classifies records by time around a Replay; the indexed
// path starts at the latest checkpoint before the window and stops once no later frame can
// hold a record inside it.
#include "analysis/window.h"

#include <algorithm>
#include <optional>

#include "analysis/live_map.h"
#include "analysis/record_kinds.h"
#include "analysis/replay.h"
#include "analysis/trace_index_builder.h"
#include "format/reader.h"

namespace heapscope::analysis {
namespace {

constexpr std::uint64_t kNoOffset = std::numeric_limits<std::uint64_t>::max();

// The sidecar does not describe the trace as read (rebuilt once, then the sequential pass).
struct IndexMismatch {};

// Records are taken in file order. Before the window, allocations and frees only shape the
// starting live set; the first record stamped at or after fromNs opens the window, the first
// stamped after toNs closes it. Untimed records follow the phase they fall in; structural
// ones are always applied, since records in the window depend on them. The RSS in effect when
// the window opens is the last sample before it, as the live set then is its starting heap.
class WindowReplay {
public:
    WindowReplay(const format::TraceHeader& header, const TimeWindow& window)
        : m_replay(header), m_window(window) {}

    void seed(const std::vector<format::CheckpointBlock>& blocks) {
        bool existed = false;
        for (const format::CheckpointBlock& b : blocks)
            m_before.emplace(b.address, existed) = LiveBlock{b.size, b.stack, b.thread};
    }

    // The last RSS sample of the frames skipped before the seeded checkpoint.
    void seedRss(const std::optional<format::RssRecord>& sample) { m_rssBefore = sample; }

    void apply(const format::Record& record) {
        if (const auto time = recordTime(record)) {
            m_lastTimeNs = std::max(m_lastTimeNs, *time);
            if (m_phase == Phase::Before && *time >= m_window.fromNs) {
                // A sample stamped at the start itself is the one in effect there.
                const auto* rss = std::get_if<format::RssRecord>(&record);
                if (rss != nullptr && *time == m_window.fromNs) m_rssBefore = *rss;
                open();
            }
            if (m_phase == Phase::Inside && *time > m_window.toNs) m_phase = Phase::After;
        }
        switch (m_phase) {
        case Phase::Before:
            if (const auto* a = std::get_if<format::AllocRecord>(&record)) {
                bool existed = false;
                m_before.emplace(a->address, existed) = LiveBlock{a->size, a->stack, a->thread};
            } else if (const auto* f = std::get_if<format::FreeRecord>(&record)) {
                LiveBlock gone;
                (void)m_before.erase(f->address, gone); // blocks from before tracing: ignored
            } else if (const auto* r = std::get_if<format::RssRecord>(&record)) {
                m_rssBefore = *r;
            } else {
                applyStructural(record);
            }
            break;
        case Phase::Inside:
            m_replay.apply(record);
            break;
        case Phase::After:
            break;
        }
    }

    void applyStructural(const format::Record& record) {
        if (isStructural(record)) m_replay.apply(record);
    }

    // traceEndNs: the last time stamp of the whole trace, when not every record was applied.
    Model finish(std::string readProblem, std::uint64_t traceEndNs = 0) {
        if (m_phase == Phase::Before) open();
        Model model = m_replay.finish(std::move(readProblem));
        const std::uint64_t end = std::max(traceEndNs, m_lastTimeNs);
        const std::uint64_t from = std::min(m_window.fromNs, m_window.toNs); // an instant
        model.window = WindowSpan{from, std::max(from, std::min(m_window.toNs, end)), end};
        return model;
    }

private:
    enum class Phase { Before, Inside, After };

    void open() {
        // Stamped at the window's start, so the window's timeline and peak RSS begin with it.
        if (m_rssBefore)
            m_replay.apply(
                format::Record{format::RssRecord{m_window.fromNs, m_rssBefore->rssBytes}});
        m_before.forEach([this](std::uint64_t address, const LiveBlock& block) {
            m_replay.seedLive(address, block, m_window.fromNs);
        });
        m_before = LiveMap{};
        m_replay.openWindow(m_window.fromNs);
        m_phase = Phase::Inside;
    }

    Replay m_replay;
    TimeWindow m_window;
    LiveMap m_before;
    std::optional<format::RssRecord> m_rssBefore;
    std::uint64_t m_lastTimeNs = 0;
    Phase m_phase = Phase::Before;
};

void openTrace(format::TraceReader& reader, const std::string& path) {
    // The reader's message already names the file.
    if (!reader.open(path)) throw AnalysisError(reader.error());
}

void seekTo(format::TraceReader& reader, const format::IndexFrame& frame) {
    if (!reader.seekFrame(frame.offset)) throw IndexMismatch{};
}

// Applies the structural records of the frames before `limit` that have any.
void readStructuralFrames(format::TraceReader& reader,
                          const std::vector<format::IndexFrame>& frames, std::size_t limit,
                          WindowReplay& replay) {
    const auto nextStructural = [&](std::size_t i) {
        while (i < limit && !frames[i].structural)
            ++i;
        return i;
    };
    format::Record record;
    for (std::size_t i = nextStructural(0); i < limit; i = nextStructural(i + 1)) {
        seekTo(reader, frames[i]);
        while (reader.next(record)) {
            if (reader.frameOffset() != frames[i].offset) {
                // Consecutive structural frames are read on without seeking.
                if (i + 1 >= limit || !frames[i + 1].structural) break;
                if (reader.frameOffset() != frames[++i].offset) throw IndexMismatch{};
            }
            replay.applyStructural(record);
        }
    }
}

// The last RSS sample in the frames before `limit`, read backwards frame by frame: the
// recorder samples RSS far more often than it writes frames, so the frame just before the
// limit nearly always has one (a trace without samples is read back to its start).
std::optional<format::RssRecord> lastRssBefore(format::TraceReader& reader,
                                               const std::vector<format::IndexFrame>& frames,
                                               std::size_t limit) {
    format::Record record;
    for (std::size_t i = limit; i-- > 0;) {
        if (!frames[i].timed) continue; // an RSS sample is timed
        seekTo(reader, frames[i]);
        std::optional<format::RssRecord> last;
        while (reader.next(record) && reader.frameOffset() == frames[i].offset) {
            if (const auto* r = std::get_if<format::RssRecord>(&record)) last = *r;
        }
        if (last) return last;
    }
    return std::nullopt;
}

// The first frame from which on no frame holds a timed record at or before toNs.
std::size_t stopFrame(const std::vector<format::IndexFrame>& frames, std::uint64_t toNs) {
    std::size_t stop = frames.size();
    for (std::size_t i = frames.size(); i-- > 0;) {
        if (frames[i].timed && frames[i].minTimeNs <= toNs) break;
        stop = i;
    }
    return stop;
}

Model analyzeIndexed(const std::string& path, const TimeWindow& window, const LoadedIndex& loaded) {
    const format::TraceIndex& index = loaded.index;
    format::TraceReader reader;
    openTrace(reader, path);
    WindowReplay replay(reader.header(), window);

    // The latest checkpoint whose every earlier record lies before the window.
    std::optional<std::size_t> start;
    for (std::size_t i = 0; i < index.checkpoints.size(); ++i)
        if (index.checkpoints[i].maxTimeBeforeNs < window.fromNs) start = i;
    std::size_t firstFrame = 0;
    if (start) {
        const format::IndexCheckpoint& checkpoint = index.checkpoints[*start];
        readStructuralFrames(reader, index.frames, checkpoint.frame, replay);
        std::vector<format::CheckpointBlock> blocks;
        if (!loaded.checkpointBlocks(*start, blocks)) throw IndexMismatch{};
        replay.seed(blocks);
        replay.seedRss(lastRssBefore(reader, index.frames, checkpoint.frame));
        firstFrame = checkpoint.frame;
        seekTo(reader, index.frames[firstFrame]);
    }
    const std::size_t stop = std::max(firstFrame, stopFrame(index.frames, window.toNs));
    const std::uint64_t stopOffset =
        stop < index.frames.size() ? index.frames[stop].offset : kNoOffset;
    format::Record record;
    while (reader.next(record) && reader.frameOffset() < stopOffset)
        replay.apply(record);
    std::uint64_t traceEndNs = 0;
    for (const format::IndexFrame& frame : index.frames)
        if (frame.timed) traceEndNs = std::max(traceEndNs, frame.maxTimeNs);
    return replay.finish(index.readProblem, traceEndNs);
}

} // namespace

Model analyzeWindowSequential(const std::string& path, const TimeWindow& window,
                              const AnalyzeOptions& options) {
    format::TraceReader reader;
    openTrace(reader, path);
    WindowReplay replay(reader.header(), window);
    format::Record record;
    std::uint64_t count = 0;
    while (reader.next(record)) {
        replay.apply(record);
        ++count;
    }
    if (options.progress) options.progress({count, reader.bytesConsumed(), reader.fileSize()});
    return replay.finish(readProblem(reader));
}

Model analyzeWindow(const std::string& path, const TimeWindow& window,
                    const AnalyzeOptions& options) {
    {
        // A missing or foreign trace is reported as such, before any index is looked for.
        format::TraceReader probe;
        openTrace(probe, path);
    }
    const IndexOptions indexOptions{IndexOptions{}.checkpointEveryBytes, options.progress};
    try {
        return analyzeIndexed(path, window, loadOrBuildIndex(path, indexOptions));
    } catch (const IndexMismatch&) {
    }
    try {
        return analyzeIndexed(path, window, buildIndex(path, indexOptions));
    } catch (const IndexMismatch&) {
    }
    return analyzeWindowSequential(path, window, options);
}

std::uint64_t peakTime(const std::string& path, const AnalyzeOptions& options) {
    format::TraceReader probe;
    openTrace(probe, path);
    return loadOrBuildIndex(path,
                            IndexOptions{IndexOptions{}.checkpointEveryBytes, options.progress})
        .index.peakTimeNs;
}

} // namespace heapscope::analysis
