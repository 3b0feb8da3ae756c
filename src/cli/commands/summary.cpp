// cli: `heapscope summary TRACE [--json]`, the whole-run figures.
#include <iostream>

#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/time_window.h"
#include "cli/trace_input.h"
#include "reports/summary_json.h"
#include "reports/summary_text.h"

namespace heapscope::cli {

int summaryCommand(const std::vector<std::string>& args) {
    CLI::App app{"Totals of a recorded run: allocations, frees, bytes, peak heap and RSS, "
                 "temporary allocations, leaks and heap errors.",
                 "heapscope summary"};
    std::string tracePath;
    bool json = false;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_flag("--json", json, "print the figures as JSON, exact integers");
    TimeWindowOptions window;
    window.add(app, false);
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);

    const analysis::Model model = window.load(app, "summary", tracePath);
    if (json) {
        std::cout << reports::summaryJson(model).dump(2) << '\n';
    } else {
        std::cout << reports::summaryText(model);
    }
    return kExitSuccess;
}

} // namespace heapscope::cli
