// cli: `heapscope check TRACE --max-peak SIZE --max-leaked SIZE --max-allocations N
// [--json] [--junit FILE]`, budgets for CI: exit status 1 naming each figure over its budget.
#include <iostream>

#include <fmt/format.h>

#include "analysis/budget.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/commands/gate_output.h"
#include "cli/trace_input.h"
#include "common/sizes.h"
#include "reports/check_report.h"

namespace heapscope::cli {
namespace {

std::optional<std::uint64_t> sizeOption(const CLI::App& app, std::string_view option,
                                        const std::string& text) {
    if (text.empty()) return std::nullopt;
    const auto size = parseSize(text);
    if (!size) {
        throw UsageError(
            fmt::format("check: {} expects a size such as 512, 64K or 50MiB, not '{}' {}", option,
                        text, seeHelp(app)));
    }
    return size;
}

} // namespace

int checkCommand(const std::vector<std::string>& args) {
    CLI::App app{"Checks a run against budgets: peak heap, bytes not freed at exit, number of "
                 "allocations. Exit status 1, naming each figure over its budget, when one is "
                 "broken.",
                 "heapscope check"};
    std::string tracePath;
    std::string maxPeak;
    std::string maxLeaked;
    std::string maxAllocations;
    std::string junitPath;
    bool json = false;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_option("--max-peak", maxPeak, "largest peak heap allowed (512, 64K, 50MiB, 1.5G)");
    app.add_option("--max-leaked", maxLeaked, "most bytes allowed live at exit");
    app.add_option("--max-allocations", maxAllocations, "most allocations allowed");
    app.add_option("--junit", junitPath, "also write the verdicts as JUnit XML to this file");
    app.add_flag("--json", json, "print the verdicts as JSON, exact integers");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    analysis::Budgets budgets;
    budgets.maxPeakBytes = sizeOption(app, "--max-peak", maxPeak);
    budgets.maxLeakedBytes = sizeOption(app, "--max-leaked", maxLeaked);
    if (!maxAllocations.empty()) {
        // 0 is a budget too ("no allocation at all"), so parsePositive does not fit.
        budgets.maxAllocations =
            maxAllocations == "0" ? 0 : parsePositive(app, "--max-allocations", maxAllocations);
    }
    if (!budgets.maxPeakBytes && !budgets.maxLeakedBytes && !budgets.maxAllocations) {
        throw UsageError(fmt::format(
            "check: give at least one of --max-peak, --max-leaked, --max-allocations {}",
            seeHelp(app)));
    }

    const analysis::Model model = loadTrace("check", tracePath);
    const auto checks = analysis::checkBudgets(model.summary, budgets);
    if (json) {
        std::cout << reports::checkJson(checks).dump(2) << '\n';
    } else {
        std::cout << reports::checkText(checks);
    }
    bool broken = false;
    for (const auto& check : checks) {
        if (check.passed) continue;
        std::cerr << "heapscope: check: " << reports::budgetLine(check) << '\n';
        broken = true;
    }
    if (!junitPath.empty())
        writeJunit("check", junitPath, "heapscope check", reports::checkJunitCases(checks));
    return broken ? kExitRegression : kExitSuccess;
}

} // namespace heapscope::cli
