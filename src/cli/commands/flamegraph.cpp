// cli: `heapscope flamegraph TRACE -o FILE.html|FILE.svg [--metric M]`, the flame graph of the
// call sites: interactive in HTML (zoom, search, metric switch), static in SVG.
#include <array>

#include <fmt/format.h>

#include "analysis/symbolizer.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/output_file.h"
#include "cli/time_window.h"
#include "cli/trace_input.h"
#include "reports/flamegraph_svg.h"
#include "reports/report_html.h"
#include "reports/valgrind_text.h"
#include "reports/window_text.h"

namespace heapscope::cli {
int flamegraphCommand(const std::vector<std::string>& args) {
    CLI::App app{"A flame graph of the call sites: main at the bottom, the allocating functions on "
                 "top, each frame as wide as its share of the metric. The HTML page switches "
                 "between the metrics, zooms on click and searches; the SVG shows one metric. "
                 "Frames under 1/2000 of the total are merged into \"[N smaller frames]\".",
                 "heapscope flamegraph"};
    std::string tracePath;
    std::string outputPath;
    std::string metricName = "allocated";
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_option("-o,--output", outputPath, "the file to write (.html or .svg)");
    app.add_option("--metric", metricName,
                   reports::siteOrderChoices() +
                       ": bytes allocated, allocations, bytes live at the peak, "
                       "leaked bytes, temporary allocations (default allocated)");
    TimeWindowOptions window;
    window.add(app, false);
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    if (outputPath.empty())
        throw UsageError(
            fmt::format("flamegraph: missing -o FILE.html or FILE.svg {}", seeHelp(app)));
    const std::string extension = requireExtension(app, outputPath, {".html", ".svg"});
    const auto metric = reports::parseSiteOrder(metricName);
    if (!metric) {
        throw UsageError(fmt::format("flamegraph: --metric expects one of {}, not '{}' {}",
                                     reports::siteOrderChoices(), metricName, seeHelp(app)));
    }

    const analysis::Model model = window.load(app, "flamegraph", tracePath);
    analysis::Symbolizer symbolizer(model.modules);
    reports::symbolizeEveryStack(model, symbolizer);
    const auto resolve = reports::symbolizingResolver(model, symbolizer);
    if (extension == ".html") {
        writeOutputFile("flamegraph", outputPath,
                        reports::flamegraphHtml(model, resolve, reports::siteOrderName(*metric)));
        return kExitSuccess;
    }
    const std::array metrics{*metric};
    const auto tree = reports::mergeTinyFrames(
        reports::buildFlameTree(model, resolve, reports::FlameRoot::Outermost),
        reports::kFlameMinFraction, metrics);
    writeOutputFile(
        "flamegraph", outputPath,
        reports::flamegraphSvg(tree, *metric,
                               reports::titleWithWindow(reports::commandLineText(model), model)));
    return kExitSuccess;
}

} // namespace heapscope::cli
