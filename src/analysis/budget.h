// analysis: budgets for `heapscope check`: each given limit against the run's figure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "analysis/model.h"

namespace heapscope::analysis {

enum class BudgetFigure { PeakBytes, LeakedBytes, Allocations };

struct Budgets {
    std::optional<std::uint64_t> maxPeakBytes;
    std::optional<std::uint64_t> maxLeakedBytes;
    std::optional<std::uint64_t> maxAllocations;
};

struct BudgetCheck {
    BudgetFigure figure = BudgetFigure::PeakBytes;
    std::uint64_t actual = 0;
    std::uint64_t limit = 0;
    bool passed = true; // actual <= limit
};

// "peak_bytes", "leaked_bytes", "allocations" (the JSON keys).
std::string_view budgetFigureName(BudgetFigure figure);

// One check per budget given, in the order of BudgetFigure.
std::vector<BudgetCheck> checkBudgets(const Summary& summary, const Budgets& budgets);

} // namespace heapscope::analysis
