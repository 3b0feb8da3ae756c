// cli: `heapscope timeline TRACE [-o FILE.svg]`, heap and RSS over time: an ASCII graph and the
// tree of what was live at the peak, or an SVG chart.
#include <iostream>

#include "analysis/symbolizer.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/output_file.h"
#include "cli/time_window.h"
#include "cli/trace_input.h"
#include "reports/timeline_svg.h"
#include "reports/timeline_text.h"

namespace heapscope::cli {

int timelineCommand(const std::vector<std::string>& args) {
    CLI::App app{
        "Heap and RSS over time as an ASCII graph in the manner of ms_print, with the peak "
        "and the program's marks, then the tree of what was live at the peak. With -o "
        "FILE.svg, the same graph as an SVG chart.",
        "heapscope timeline"};
    std::string tracePath;
    std::string outputPath;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_option("-o,--output", outputPath, "write an SVG chart to this file (.svg)");
    TimeWindowOptions window;
    window.add(app, false);
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    if (!outputPath.empty()) requireExtension(app, outputPath, {".svg"});

    const analysis::Model model = window.load(app, "timeline", tracePath);
    if (!outputPath.empty()) {
        writeOutputFile("timeline", outputPath, reports::timelineSvg(model));
        return kExitSuccess;
    }
    analysis::Symbolizer symbolizer(model.modules);
    std::cout << reports::timelineText(model, reports::symbolizingResolver(model, symbolizer));
    return kExitSuccess;
}

} // namespace heapscope::cli
