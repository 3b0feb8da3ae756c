// analysis: the trace index (format/trace_index.h) built by one sequential pass over a trace,
// and found again beside the trace (TRACE.hsi) while the trace has not changed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/analyze.h"
#include "format/trace_index.h"

namespace heapscope::analysis {

struct IndexOptions {
    // A checkpoint is taken at the first frame boundary this many trace bytes after the last
    // one, or eight times the last checkpoint's size if that is more (so the index stays a
    // small fraction of the trace even for a large live set).
    std::uint64_t checkpointEveryBytes = 16u << 20;
    std::function<void(const AnalysisProgress&)> progress;
};

// An index ready for use; checkpoint blobs come from the index file, or from memory when the
// index could not be saved (a read-only directory).
class LoadedIndex {
public:
    format::TraceIndex index;
    std::string path;                             // the sidecar file
    bool built = false;                           // made by this call, not reused
    bool saved = false;                           // the sidecar holds it
    std::vector<std::vector<std::uint8_t>> blobs; // only when not saved: one per checkpoint

    // The blocks of checkpoint i; false when they cannot be read (a damaged sidecar).
    [[nodiscard]] bool checkpointBlocks(std::size_t i,
                                        std::vector<format::CheckpointBlock>& out) const;
};

// "trace.hst" -> "trace.hst.hsi".
std::string indexPathFor(const std::string& tracePath);

// The index of the trace: the sidecar when it is sound and matches the trace's size and mtime,
// otherwise built now and saved beside the trace. Throws AnalysisError when the trace itself
// cannot be opened.
LoadedIndex loadOrBuildIndex(const std::string& tracePath, const IndexOptions& options = {});

// Builds the index by reading the whole trace (up to its last complete frame).
LoadedIndex buildIndex(const std::string& tracePath, const IndexOptions& options = {});

} // namespace heapscope::analysis
