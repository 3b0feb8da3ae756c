// reports: `heapscope check` and the JUnit cases of `check` and `diff`.
#include "reports/check_report.h"

#include <fmt/format.h>

#include "common/sizes.h"

namespace heapscope::reports {
namespace {

std::string_view budgetTitle(analysis::BudgetFigure figure) {
    switch (figure) {
    case analysis::BudgetFigure::PeakBytes:
        return "peak heap";
    case analysis::BudgetFigure::LeakedBytes:
        return "leaked";
    case analysis::BudgetFigure::Allocations:
        return "allocations";
    }
    return "";
}

std::string value(analysis::BudgetFigure figure, std::uint64_t v) {
    if (figure == analysis::BudgetFigure::Allocations) return formatCount(v);
    return fmt::format("{} ({} B)", formatSize(v), v);
}

} // namespace

std::string budgetLine(const analysis::BudgetCheck& check) {
    return fmt::format("{} {} is {} its budget of {}", budgetTitle(check.figure),
                       value(check.figure, check.actual), check.passed ? "within" : "over",
                       value(check.figure, check.limit));
}

std::string checkText(const std::vector<analysis::BudgetCheck>& checks) {
    std::string out;
    std::size_t failed = 0;
    for (const auto& check : checks) {
        out += fmt::format("{} {}\n", check.passed ? "ok  " : "FAIL", budgetLine(check));
        if (!check.passed) ++failed;
    }
    out += failed == 0 ? "all budgets kept\n" : fmt::format("{} budget(s) broken\n", failed);
    return out;
}

nlohmann::ordered_json checkJson(const std::vector<analysis::BudgetCheck>& checks) {
    nlohmann::ordered_json budgets = nlohmann::ordered_json::array();
    bool passed = true;
    for (const auto& check : checks) {
        budgets.push_back(
            nlohmann::ordered_json{{"figure", analysis::budgetFigureName(check.figure)},
                                   {"actual", check.actual},
                                   {"limit", check.limit},
                                   {"passed", check.passed}});
        passed = passed && check.passed;
    }
    return nlohmann::ordered_json{{"passed", passed}, {"budgets", std::move(budgets)}};
}

std::vector<JunitCase> checkJunitCases(const std::vector<analysis::BudgetCheck>& checks) {
    std::vector<JunitCase> cases;
    for (const auto& check : checks) {
        cases.push_back(JunitCase{std::string(analysis::budgetFigureName(check.figure)),
                                  budgetLine(check), check.passed});
    }
    return cases;
}

std::vector<JunitCase> diffJunitCases(const analysis::DiffResult& diff) {
    std::vector<JunitCase> cases;
    for (const auto& t : diff.totals) {
        cases.push_back(
            JunitCase{std::string(analysis::diffFigureName(t.figure)),
                      fmt::format("{} -> {} ({} by more than {}%)", t.base, t.current,
                                  t.regressed ? "grew" : "did not grow", diff.thresholdPercent),
                      !t.regressed});
    }
    return cases;
}

} // namespace heapscope::reports
