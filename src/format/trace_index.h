// format: the trace index (TRACE.hsi), a sidecar file that lets a reader open a time window of
// a long trace without reading all of it: frame offsets with their time ranges, and checkpoints
// of the live set. Encoding and decoding only; analysis/index_builder.cpp builds it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ids.h"
#include "format/records.h"

namespace heapscope::format {

inline constexpr char kIndexMagic[8] = {'H', 'S', 'I', 'N', 'D', 'E', 'X', '1'};
inline constexpr std::uint32_t kIndexVersion = 1;

// One frame of the trace that delivered records.
struct IndexFrame {
    std::uint64_t offset = 0;    // of the frame header in the trace
    std::uint64_t minTimeNs = 0; // over the frame's timed records (0 and 0 when it has none)
    std::uint64_t maxTimeNs = 0;
    std::uint64_t records = 0;
    bool timed = false; // it has records with a time stamp (min/max are theirs)
    // It holds records that give meaning to later ones (stack nodes, modules, threads): a
    // reader starting at a later checkpoint reads these frames for them first.
    bool structural = false;
};

// A block live at a checkpoint.
struct CheckpointBlock {
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    StackId stack;
    ThreadIndex thread;
    std::uint64_t timeNs = 0; // of its allocation
    AllocFamily family = AllocFamily::Malloc;
};

// The live set as it stands after every frame before `frame`, and where its blocks are stored.
struct IndexCheckpoint {
    std::uint64_t frame = 0;           // index into TraceIndex::frames
    std::uint64_t maxTimeBeforeNs = 0; // the latest time stamp of the frames before it
    std::uint64_t heapBytes = 0;
    std::uint64_t blocks = 0;
    std::uint64_t blobOffset = 0; // in the index file
    std::uint64_t blobBytes = 0;
};

struct TraceIndex {
    // The trace the index describes: reused only while its size and mtime still match.
    std::uint64_t traceBytes = 0;
    std::int64_t traceMtimeNs = 0;
    std::uint64_t events = 0; // allocations and frees
    std::uint64_t peakHeapBytes = 0;
    std::uint64_t peakTimeNs = 0;
    std::string readProblem; // why the pass stopped early (damaged, truncated), else empty
    std::vector<IndexFrame> frames;
    std::vector<IndexCheckpoint> checkpoints;
};

// Writes an index file as it is built: checkpoint blobs go straight to a temporary file (so
// building needs no memory for them), the directory after them, and then the file takes its
// name, so a reader never sees half an index. An unfinished file is removed.
class IndexFileWriter {
public:
    IndexFileWriter() = default;
    ~IndexFileWriter();
    IndexFileWriter(const IndexFileWriter&) = delete;
    IndexFileWriter& operator=(const IndexFileWriter&) = delete;

    [[nodiscard]] bool open(const std::string& path);
    bool isOpen() const { return m_file != nullptr; }
    // Appends a checkpoint's blob (from encodeCheckpoint) and sets checkpoint's blob fields.
    [[nodiscard]] bool addCheckpoint(const std::vector<std::uint8_t>& blob,
                                     IndexCheckpoint& checkpoint);
    // Writes the directory of index (whose checkpoints were all added) and renames the file.
    [[nodiscard]] bool finish(const TraceIndex& index, std::string& why);

private:
    void abandon();

    std::string m_path;
    std::string m_temporary;
    std::FILE* m_file = nullptr;
    std::uint64_t m_offset = 0;
};

// Reads the index at path. False with a reason when it is missing, foreign, of another version
// or damaged in any way; never crashes or allocates without bound on a hostile file.
[[nodiscard]] bool readIndex(const std::string& path, TraceIndex& out, std::string& why);

// The compressed blob of a live set (blocks in any order).
std::vector<std::uint8_t> encodeCheckpoint(std::vector<CheckpointBlock> blocks);
// The blocks of checkpoint from its blob; false with a reason when the blob is damaged.
[[nodiscard]] bool decodeCheckpoint(const std::vector<std::uint8_t>& blob,
                                    const IndexCheckpoint& checkpoint,
                                    std::vector<CheckpointBlock>& out, std::string& why);
// Reads the blob of checkpoint from the index file at path.
[[nodiscard]] bool readCheckpointBlob(const std::string& path, const IndexCheckpoint& checkpoint,
                                      std::vector<std::uint8_t>& out, std::string& why);

} // namespace heapscope::format
