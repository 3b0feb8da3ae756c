// analysis: budgets for `heapscope check`.
#include "analysis/budget.h"

namespace heapscope::analysis {

std::string_view budgetFigureName(BudgetFigure figure) {
    switch (figure) {
    case BudgetFigure::PeakBytes:
        return "peak_bytes";
    case BudgetFigure::LeakedBytes:
        return "leaked_bytes";
    case BudgetFigure::Allocations:
        return "allocations";
    }
    return "";
}

std::vector<BudgetCheck> checkBudgets(const Summary& summary, const Budgets& budgets) {
    std::vector<BudgetCheck> checks;
    const auto check = [&checks](BudgetFigure figure, std::uint64_t actual,
                                 const std::optional<std::uint64_t>& limit) {
        if (limit) checks.push_back(BudgetCheck{figure, actual, *limit, actual <= *limit});
    };
    check(BudgetFigure::PeakBytes, summary.peakHeapBytes, budgets.maxPeakBytes);
    check(BudgetFigure::LeakedBytes, summary.leakedBytes, budgets.maxLeakedBytes);
    check(BudgetFigure::Allocations, summary.allocations, budgets.maxAllocations);
    return checks;
}

} // namespace heapscope::analysis
