// analysis: builds the trace index in one pass (frame table, live-set checkpoints, peak), and
// reuses the sidecar while the trace is unchanged.
#include "analysis/trace_index_builder.h"

#include <sys/stat.h>

#include <algorithm>
#include <optional>

#include "analysis/live_map.h"
#include "analysis/record_kinds.h"
#include "format/reader.h"

namespace heapscope::analysis {
namespace {

constexpr std::uint64_t kProgressStepBytes = 4u << 20;
constexpr std::uint64_t kCheckEvery = 1u << 14;
// A checkpoint costs at most about this share of the trace bytes it covers (see IndexOptions).
constexpr std::uint64_t kCheckpointCostRatio = 8;

struct Stat {
    std::uint64_t bytes = 0;
    std::int64_t mtimeNs = 0;
};

std::optional<Stat> statTrace(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return Stat{static_cast<std::uint64_t>(st.st_size),
                static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

// What one pass keeps per live block for the checkpoints.
struct IndexedBlock {
    std::uint64_t size = 0;
    std::uint64_t timeNs = 0;
    StackId stack;
    ThreadIndex thread;
    format::AllocFamily family = format::AllocFamily::Malloc;
};

class IndexPass {
public:
    // Checkpoints go to file as they are made; when it cannot be written, they stay in memory.
    IndexPass(const IndexOptions& options, format::IndexFileWriter& file)
        : m_options(options), m_file(file) {}

    void onFrame(std::uint64_t offset) {
        if (m_index.frames.empty() || offset - m_lastCheckpointOffset >= checkpointSpacing()) {
            if (!m_index.frames.empty()) checkpoint();
            m_lastCheckpointOffset = offset;
        }
        m_index.frames.push_back(format::IndexFrame{offset});
    }

    void onRecord(const format::Record& record) {
        format::IndexFrame& frame = m_index.frames.back();
        ++frame.records;
        if (const auto time = recordTime(record)) {
            frame.minTimeNs = frame.timed ? std::min(frame.minTimeNs, *time) : *time;
            frame.maxTimeNs = frame.timed ? std::max(frame.maxTimeNs, *time) : *time;
            frame.timed = true;
            m_maxTimeNs = std::max(m_maxTimeNs, *time);
        }
        if (const auto* a = std::get_if<format::AllocRecord>(&record)) {
            bool existed = false;
            IndexedBlock& block = m_live.emplace(a->address, existed);
            if (existed) m_heapBytes -= block.size;
            block = IndexedBlock{a->size, a->timeNs, a->stack, a->thread, a->family};
            m_heapBytes += a->size;
            ++m_index.events;
            if (m_heapBytes > m_index.peakHeapBytes) {
                m_index.peakHeapBytes = m_heapBytes;
                m_index.peakTimeNs = a->timeNs;
            }
        } else if (const auto* f = std::get_if<format::FreeRecord>(&record)) {
            IndexedBlock block;
            if (m_live.erase(f->address, block)) m_heapBytes -= block.size;
            ++m_index.events;
        } else if (isStructural(record)) {
            frame.structural = true;
        }
    }

    LoadedIndex finish() {
        LoadedIndex out;
        out.index = std::move(m_index);
        out.blobs = std::move(m_blobs);
        return out;
    }

private:
    std::uint64_t checkpointSpacing() const {
        return std::max(m_options.checkpointEveryBytes, kCheckpointCostRatio * m_lastBlobBytes);
    }

    // The live set after every frame so far, before the frame about to start.
    void checkpoint() {
        std::vector<format::CheckpointBlock> blocks;
        blocks.reserve(m_live.size());
        m_live.forEach([&](std::uint64_t address, const IndexedBlock& b) {
            blocks.push_back(
                format::CheckpointBlock{address, b.size, b.stack, b.thread, b.timeNs, b.family});
        });
        format::IndexCheckpoint& checkpoint =
            m_index.checkpoints.emplace_back(format::IndexCheckpoint{
                m_index.frames.size(), m_maxTimeNs, m_heapBytes, blocks.size(), 0, 0});
        std::vector<std::uint8_t> blob = format::encodeCheckpoint(std::move(blocks));
        m_lastBlobBytes = blob.size();
        if (!m_file.isOpen() || !m_file.addCheckpoint(blob, checkpoint))
            m_blobs.push_back(std::move(blob));
    }

    const IndexOptions& m_options;
    format::IndexFileWriter& m_file;
    format::TraceIndex m_index;
    std::vector<std::vector<std::uint8_t>> m_blobs;
    BasicLiveMap<IndexedBlock> m_live;
    std::uint64_t m_heapBytes = 0;
    std::uint64_t m_maxTimeNs = 0;
    std::uint64_t m_lastCheckpointOffset = 0;
    std::uint64_t m_lastBlobBytes = 0;
};

} // namespace

bool LoadedIndex::checkpointBlocks(std::size_t i, std::vector<format::CheckpointBlock>& out) const {
    const format::IndexCheckpoint& checkpoint = index.checkpoints.at(i);
    std::vector<std::uint8_t> blob;
    std::string why;
    if (i < blobs.size()) return format::decodeCheckpoint(blobs[i], checkpoint, out, why);
    return format::readCheckpointBlob(path, checkpoint, blob, why) &&
           format::decodeCheckpoint(blob, checkpoint, out, why);
}

std::string indexPathFor(const std::string& tracePath) { return tracePath + ".hsi"; }

LoadedIndex buildIndex(const std::string& tracePath, const IndexOptions& options) {
    // Stat first: a trace that grows during the pass then no longer matches the index.
    const auto before = statTrace(tracePath);
    format::TraceReader reader;
    if (!reader.open(tracePath)) throw AnalysisError(reader.error());
    format::IndexFileWriter file;
    (void)file.open(indexPathFor(tracePath));
    IndexPass pass(options, file);
    format::Record record;
    std::uint64_t frameOffset = ~std::uint64_t{0};
    std::uint64_t count = 0;
    std::uint64_t nextProgress = kProgressStepBytes;
    while (reader.next(record)) {
        if (reader.frameOffset() != frameOffset) {
            frameOffset = reader.frameOffset();
            pass.onFrame(frameOffset);
        }
        pass.onRecord(record);
        if (options.progress && ++count % kCheckEvery == 0 &&
            reader.bytesConsumed() >= nextProgress) {
            options.progress({count, reader.bytesConsumed(), reader.fileSize()});
            nextProgress = reader.bytesConsumed() + kProgressStepBytes;
        }
    }
    if (options.progress) options.progress({count, reader.bytesConsumed(), reader.fileSize()});

    LoadedIndex out = pass.finish();
    out.index.readProblem = readProblem(reader);
    out.index.traceBytes = before ? before->bytes : reader.fileSize();
    out.index.traceMtimeNs = before ? before->mtimeNs : 0;
    out.path = indexPathFor(tracePath);
    out.built = true;
    std::string why;
    // An unwritable directory only costs the reuse: the index still serves this command, with
    // its checkpoints in memory (blobs is empty when they all went to the file).
    out.saved = out.blobs.empty() && file.finish(out.index, why);
    if (!out.saved && out.blobs.size() != out.index.checkpoints.size()) {
        // Some went to a file that is gone: without them the windows start from the top.
        out.index.checkpoints.clear();
        out.blobs.clear();
    }
    return out;
}

LoadedIndex loadOrBuildIndex(const std::string& tracePath, const IndexOptions& options) {
    LoadedIndex loaded;
    loaded.path = indexPathFor(tracePath);
    std::string why;
    const auto now = statTrace(tracePath);
    if (now && format::readIndex(loaded.path, loaded.index, why) &&
        loaded.index.traceBytes == now->bytes && loaded.index.traceMtimeNs == now->mtimeNs) {
        loaded.saved = true;
        return loaded;
    }
    return buildIndex(tracePath, options);
}

} // namespace heapscope::analysis
