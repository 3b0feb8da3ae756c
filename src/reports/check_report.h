// reports: `heapscope check`: each budget against the run's figure, as text and as JUnit cases;
// and the JUnit cases of `heapscope diff`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/budget.h"
#include "analysis/diff.h"
#include "reports/junit.h"

namespace heapscope::reports {

// "peak heap 60.0 MiB (62914560 B) is over its budget of 50.0 MiB (52428800 B)" or "... within".
std::string budgetLine(const analysis::BudgetCheck& check);

// One line per budget, the broken ones first marked "FAIL", then a verdict line.
std::string checkText(const std::vector<analysis::BudgetCheck>& checks);

// {"passed", "budgets": [{"figure", "actual", "limit", "passed"}]}
nlohmann::ordered_json checkJson(const std::vector<analysis::BudgetCheck>& checks);

std::vector<JunitCase> checkJunitCases(const std::vector<analysis::BudgetCheck>& checks);
std::vector<JunitCase> diffJunitCases(const analysis::DiffResult& diff);

} // namespace heapscope::reports
