// cli: `heapscope report TRACE -o FILE.html`, one self-contained page with the summary, the
// timeline, the flame graph, the top sites, the leaks and the heap errors.
#include <fmt/format.h>

#include "analysis/symbolizer.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/output_file.h"
#include "cli/trace_input.h"
#include "reports/report_html.h"

namespace heapscope::cli {

int reportCommand(const std::vector<std::string>& args) {
    CLI::App app{"One HTML page with everything: the summary, heap and RSS over time, the flame "
                 "graph, the top allocation sites, leaks by kind and heap errors. The page holds "
                 "its scripts and data and opens offline.",
                 "heapscope report"};
    std::string tracePath;
    std::string outputPath;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_option("-o,--output", outputPath, "the page to write (.html)");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    if (outputPath.empty())
        throw UsageError(fmt::format("report: missing -o FILE.html {}", seeHelp(app)));
    requireExtension(app, outputPath, {".html"});

    const analysis::Model model = loadTrace("report", tracePath);
    analysis::Symbolizer symbolizer(model.modules);
    writeOutputFile("report", outputPath,
                    reports::reportHtml(model, reports::symbolizingResolver(model, symbolizer)));
    return kExitSuccess;
}

} // namespace heapscope::cli
