// cli: `heapscope export TRACE --format dhat|pprof|massif|collapsed -o FILE`, the trace in the
// formats other tools read: dh_view, `go tool pprof`, ms_print, flame graph tools.
#include <fmt/format.h>

#include "analysis/symbolizer.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/output_file.h"
#include "cli/trace_input.h"
#include "reports/collapsed.h"
#include "reports/dhat_json.h"
#include "reports/massif.h"
#include "reports/pprof.h"
#include "reports/sites.h"

namespace heapscope::cli {
int exportCommand(const std::vector<std::string>& args) {
    CLI::App app{"Writes the trace in another tool's format: dhat (DHAT's JSON for dh_view.html), "
                 "pprof (gzipped profile.proto for go tool pprof), massif (massif.out for ms_print "
                 "and massif-visualizer) or collapsed (folded stacks for flamegraph.pl, inferno "
                 "and speedscope).",
                 "heapscope export"};
    std::string tracePath;
    std::string format;
    std::string output;
    std::string metric = "allocated";
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_option("-f,--format", format, "dhat|pprof|massif|collapsed");
    app.add_option("-o,--output", output, "the file to write ('-': standard output)");
    app.add_option("--metric", metric,
                   "collapsed only: the figure of each stack, " + reports::siteOrderChoices() +
                       " (default allocated: bytes allocated)");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    requireArgument(app, "--format", format);
    requireArgument(app, "-o", output);
    if (format != "dhat" && format != "pprof" && format != "massif" && format != "collapsed") {
        throw UsageError(
            fmt::format("export: --format expects one of dhat|pprof|massif|collapsed, not '{}' {}",
                        format, seeHelp(app)));
    }
    const auto order = reports::parseSiteOrder(metric);
    if (!order) {
        throw UsageError(fmt::format("export: --metric expects one of {}, not '{}' {}",
                                     reports::siteOrderChoices(), metric, seeHelp(app)));
    }

    const analysis::Model model = loadTrace("export", tracePath);
    analysis::Symbolizer symbolizer(model.modules);
    reports::symbolizeEveryStack(model, symbolizer);
    const auto resolve = reports::symbolizingResolver(model, symbolizer);
    std::string data;
    if (format == "dhat") {
        data = reports::dhatJson(model, resolve).dump() + '\n';
    } else if (format == "pprof") {
        data = reports::pprofProfile(model, resolve);
    } else if (format == "massif") {
        data = reports::massifOutput(model, resolve);
    } else {
        data = reports::collapsedStacks(model, *order, resolve);
    }
    writeOutputFile("export", output, data);
    return kExitSuccess;
}

} // namespace heapscope::cli
