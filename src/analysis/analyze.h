// analysis: one streaming pass over a trace builds the Model. Memory grows with the live set and
// the number of distinct stacks, not with the number of events.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "analysis/model.h"
#include "format/reader.h"

namespace heapscope::analysis {

// Thrown when a trace cannot be analysed at all (missing, not a trace, newer version). A trace
// that is merely cut short or damaged part-way is analysed up to that point instead, with
// Summary::truncated set and Model::readProblem saying where it stopped.
class AnalysisError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// How far a pass over a trace has got, for a progress bar.
struct AnalysisProgress {
    std::uint64_t records = 0;   // records read so far
    std::uint64_t bytesRead = 0; // of the file
    std::uint64_t fileBytes = 0;
};

struct AnalyzeOptions {
    // Called now and then during the pass, and once at its end.
    std::function<void(const AnalysisProgress&)> progress;
};

Model analyzeTrace(const std::string& path, const AnalyzeOptions& options = {});

// Why a reader stopped before the end, empty when the trace was read whole (Model::readProblem).
std::string readProblem(const format::TraceReader& reader);

} // namespace heapscope::analysis
