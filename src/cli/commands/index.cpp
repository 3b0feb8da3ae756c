// cli: `heapscope index TRACE [--rebuild]`, builds the trace's index (TRACE.hsi) so that time
// windows and the peak view open without reading the whole trace.
#include <iostream>

#include <fmt/format.h>

#include "analysis/trace_index_builder.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "cli/trace_input.h"
#include "common/sizes.h"

namespace heapscope::cli {

int indexCommand(const std::vector<std::string>& args) {
    CLI::App app{"Builds the index of a trace beside it (TRACE.hsi): frame offsets with their "
                 "times and checkpoints of the live set, so that --from/--to windows and --at "
                 "open without reading the whole trace. Reports build it on first need; it is "
                 "rebuilt when the trace changes.",
                 "heapscope index"};
    std::string tracePath;
    bool rebuild = false;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_flag("--rebuild", rebuild, "build it even if the index on disk matches the trace");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    requireReadable("index", tracePath);

    analysis::LoadedIndex loaded;
    try {
        ProgressBar progress{"index"};
        const analysis::IndexOptions options{analysis::IndexOptions{}.checkpointEveryBytes,
                                             progress.callback()};
        loaded = rebuild ? analysis::buildIndex(tracePath, options)
                         : analysis::loadOrBuildIndex(tracePath, options);
    } catch (const analysis::AnalysisError& e) {
        throw UsageError(fmt::format("index: {}", e.what()));
    }
    if (!loaded.saved) throw UsageError(fmt::format("index: cannot write {}", loaded.path));
    const format::TraceIndex& index = loaded.index;
    std::cout << fmt::format("{} ({}): {} frames, {} checkpoints, {} allocations and frees, "
                             "peak heap {} at {}\n",
                             loaded.path, loaded.built ? "built" : "up to date",
                             formatCount(index.frames.size()),
                             formatCount(index.checkpoints.size()), formatCount(index.events),
                             formatSize(index.peakHeapBytes), formatDuration(index.peakTimeNs));
    return kExitSuccess;
}

} // namespace heapscope::cli
