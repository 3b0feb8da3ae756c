// cli: `heapscope leaks TRACE [--kinds K] [--suppressions FILE]... [--growth] [--json]`, the loss
// records memcheck-style, largest first, and the call sites whose live memory kept growing.
#include <iostream>

#include "analysis/suppressions.h"
#include "analysis/symbolizer.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/commands/leak_options.h"
#include "cli/trace_input.h"
#include "reports/leaks_json.h"
#include "reports/leaks_text.h"
#include "reports/reporter.h"

namespace heapscope::cli {

int leaksCommand(const std::vector<std::string>& args) {
    CLI::App app{"The blocks not freed at exit as memcheck's loss records (one per kind and "
                 "allocation stack, largest first) with the LEAK SUMMARY; with --growth, the "
                 "call sites whose live memory kept growing through the run, even when it was "
                 "all freed at exit.",
                 "heapscope leaks"};
    std::string tracePath;
    std::string kindsText = "definite,possible";
    std::vector<std::string> suppressionFiles;
    bool growth = false;
    bool genSuppressions = false;
    bool json = false;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_option("--kinds", kindsText,
                   "the loss records shown: definite,indirect,possible,reachable (any of them, "
                   "comma-separated), all or none (default definite,possible, as memcheck)");
    app.add_option("--suppressions", suppressionFiles,
                   "a suppression file in Valgrind's format (Memcheck:Leak entries apply, others "
                   "are skipped); may be given more than once");
    app.add_flag("--growth", growth,
                 "also list the call sites whose live memory kept growing (always in --json)");
    app.add_flag("--gen-suppressions", genSuppressions,
                 "print a suppression block after each loss record shown");
    app.add_flag("--json", json, "print the summary, the loss records and the growth as JSON");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    const analysis::LeakKindSet kinds = parseLeakKinds(app, "leaks", "--kinds", kindsText);
    const auto suppressions = loadSuppressionFiles("leaks", suppressionFiles);

    analysis::Model model = loadTrace("leaks", tracePath);
    analysis::Symbolizer symbolizer(model.modules);
    // The stacks printed, and with suppressions those matched against them.
    std::vector<StackId> stacks;
    for (const analysis::LossRecord& record : model.lossRecords)
        if (!suppressions.empty() || kinds.contains(record.kind)) stacks.push_back(record.stack);
    if (growth || json)
        for (const analysis::GrowthSite& site : model.growth)
            stacks.push_back(site.stack);
    reports::symbolizeStacks(model, symbolizer, stacks);
    const auto resolve = reports::symbolizingResolver(model, symbolizer);
    const auto uses = analysis::applySuppressions(model, suppressions, resolve);
    if (json) {
        std::cout << reports::leaksJson(model, resolve, kinds).dump(2) << '\n';
        return kExitSuccess;
    }
    reports::LeaksTextOptions options;
    options.kinds = kinds;
    options.growth = growth;
    options.genSuppressions = genSuppressions;
    std::cout << reports::leaksText(model, resolve, options)
              << reports::usedSuppressionsText(suppressions, uses);
    return kExitSuccess;
}

} // namespace heapscope::cli
