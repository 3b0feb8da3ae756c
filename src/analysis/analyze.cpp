// analysis: analyzeTrace() streams a trace through the Replay; returnAddresses() walks the trie.
#include "analysis/analyze.h"

#include "analysis/replay.h"
#include "format/reader.h"

namespace heapscope::analysis {
namespace {

// Progress is reported about this often (compressed bytes), checked after every batch.
constexpr std::uint64_t kProgressStepBytes = 4u << 20;

} // namespace

std::string readProblem(const format::TraceReader& reader) {
    switch (reader.outcome()) {
    case format::ReadOutcome::Complete:
        return {};
    case format::ReadOutcome::Truncated:
        return reader.error().empty() ? "the trace ends before the program's end was recorded"
                                      : reader.error();
    case format::ReadOutcome::Damaged:
    case format::ReadOutcome::Reading:
        break;
    }
    return reader.error().empty() ? "the trace is damaged" : reader.error();
}

Model analyzeTrace(const std::string& path, const AnalyzeOptions& options) {
    format::TraceReader reader;
    // The reader's message already names the file.
    if (!reader.open(path)) throw AnalysisError(reader.error());

    Replay replay(reader.header());
    std::uint64_t count = 0;
    std::uint64_t nextProgress = kProgressStepBytes;
    // A batch at a time, so that the replay can prefetch the blocks of events ahead of the one
    // it applies.
    for (auto records = reader.nextRecords(); !records.empty(); records = reader.nextRecords()) {
        replay.apply(records);
        count += records.size();
        if (options.progress && reader.bytesConsumed() >= nextProgress) {
            options.progress({count, reader.bytesConsumed(), reader.fileSize()});
            nextProgress = reader.bytesConsumed() + kProgressStepBytes;
        }
    }
    if (options.progress) options.progress({count, reader.bytesConsumed(), reader.fileSize()});
    return replay.finish(readProblem(reader));
}

std::vector<std::uint64_t> returnAddresses(const Model& model, StackId stack) {
    std::vector<std::uint64_t> out;
    // Bounded by the number of nodes, so a damaged trie with a cycle cannot loop forever.
    for (std::size_t steps = 0;
         stack.value != 0 && stack.value < model.stacks.size() && steps < model.stacks.size();
         ++steps) {
        const StackNode& node = model.stacks[stack.value];
        out.push_back(node.returnAddress);
        stack = node.parent;
    }
    return out;
}

} // namespace heapscope::analysis
