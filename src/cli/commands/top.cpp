// cli: `heapscope top TRACE [--by KEY] [-n N] [--json]`, the call sites that matter most.
#include <iostream>

#include <fmt/format.h>

#include "analysis/symbolizer.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/time_window.h"
#include "cli/trace_input.h"
#include "reports/reporter.h"
#include "reports/sites.h"
#include "reports/top_json.h"
#include "reports/top_text.h"
#include "reports/window_text.h"

namespace heapscope::cli {
int topCommand(const std::vector<std::string>& args) {
    CLI::App app{"The call sites that matter most, with their figures and stacks. Sites whose "
                 "ranking figure is 0 are not listed.",
                 "heapscope top"};
    std::string tracePath;
    std::string by = "allocated";
    std::string limitText = "10";
    bool json = false;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_option("--by", by, "rank by " + reports::siteOrderChoices() + " (default allocated)");
    app.add_option("-n,--limit", limitText, "how many sites to list (default 10)");
    app.add_flag("--json", json, "print the sites as JSON, exact integers");
    TimeWindowOptions window;
    window.add(app, true);
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    // The live set at one time has no allocations to rank: its bytes are the figure.
    if (window.atGiven() && app.count("--by") == 0) by = "peak";
    const auto order = reports::parseSiteOrder(by);
    if (!order) {
        throw UsageError(fmt::format("top: --by expects one of {}, not '{}' {}",
                                     reports::siteOrderChoices(), by, seeHelp(app)));
    }
    const std::uint64_t limit = parsePositive(app, "-n", limitText);

    const analysis::Model model = window.load(app, "top", tracePath);
    const auto ranked = reports::rankSites(model.sites, *order, limit);
    analysis::Symbolizer symbolizer(model.modules);
    reports::symbolizeSites(model, symbolizer, ranked);
    const auto resolve = reports::symbolizingResolver(model, symbolizer);
    if (json) {
        std::cout << reports::topJson(ranked, resolve).dump(2) << '\n';
    } else {
        std::cout << reports::windowLine(model) << reports::topText(ranked, *order, resolve);
    }
    return kExitSuccess;
}

} // namespace heapscope::cli
