// cli: `heapscope diff BASE NEW [--threshold 10%] [--json] [--junit FILE]`, memory regression
// between two runs for CI: exit status 1 when a whole-run figure grew past the threshold.
#include <charconv>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "analysis/diff.h"
#include "analysis/symbolizer.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/commands/gate_output.h"
#include "cli/trace_input.h"
#include "reports/check_report.h"
#include "reports/diff_report.h"
#include "reports/reporter.h"

namespace heapscope::cli {
namespace {

// "10%", "10" or "2.5%": a percentage of at least 0.
double parseThreshold(const CLI::App& app, const std::string& text) {
    std::string_view digits = text;
    if (digits.ends_with('%')) digits.remove_suffix(1);
    double value = -1;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
        !std::isfinite(value) || value < 0) {
        throw UsageError(fmt::format(
            "diff: --threshold expects a percentage such as 10%, not '{}' {}", text, seeHelp(app)));
    }
    return value;
}

} // namespace

int diffCommand(const std::vector<std::string>& args) {
    CLI::App app{"Compares two runs: the whole-run allocations, bytes allocated, peak heap and "
                 "leaked bytes, and the call sites that changed, matched by their symbolized "
                 "stacks so two builds compare. Exit status 1 when one of the four whole-run "
                 "figures grew by more than the threshold.",
                 "heapscope diff"};
    std::string basePath;
    std::string newPath;
    std::string thresholdText = "10%";
    std::string limitText = "10";
    std::string junitPath;
    bool json = false;
    app.add_option("BASE", basePath, "the trace of the reference run (.hst)");
    app.add_option("NEW", newPath, "the trace of the run to compare (.hst)");
    app.add_option("--threshold", thresholdText, "largest growth allowed (default 10%)");
    app.add_option("-n,--limit", limitText, "how many changed sites to list (default 10)");
    app.add_option("--junit", junitPath, "also write the verdicts as JUnit XML to this file");
    app.add_flag("--json", json, "print the comparison as JSON, exact integers");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "BASE", basePath);
    requireArgument(app, "NEW", newPath);
    const double threshold = parseThreshold(app, thresholdText);
    const std::uint64_t limit = parsePositive(app, "-n", limitText);

    const analysis::Model base = loadTrace("diff", basePath);
    const analysis::Model current = loadTrace("diff", newPath);
    analysis::Symbolizer baseSymbolizer(base.modules);
    analysis::Symbolizer newSymbolizer(current.modules);
    // Sites are matched by their symbolized stacks: every site of both runs is resolved.
    reports::symbolizeSites(base, baseSymbolizer, base.sites);
    reports::symbolizeSites(current, newSymbolizer, current.sites);
    const auto resolve = [&](const analysis::Model& model, StackId stack) {
        return (&model == &base ? baseSymbolizer : newSymbolizer).symbolizeStack(model, stack);
    };
    const analysis::DiffResult result = analysis::diffModels(base, current, threshold, resolve);
    const auto frames = [&](const analysis::SiteChange& site) {
        return site.baseStack ? resolve(base, *site.baseStack) : resolve(current, *site.newStack);
    };
    if (json) {
        std::cout << reports::diffJson(result, limit, frames).dump(2) << '\n';
    } else {
        std::cout << reports::diffText(result, limit, frames);
    }
    if (!junitPath.empty())
        writeJunit("diff", junitPath, "heapscope diff", reports::diffJunitCases(result));
    return result.regressed ? kExitRegression : kExitSuccess;
}

} // namespace heapscope::cli
