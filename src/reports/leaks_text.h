// reports: `leaks` as text, the way memcheck words its leak report: loss records with their
// stacks, the LEAK SUMMARY, the suppressions used, and the growing call sites.
#pragma once

#include <string>
#include <vector>

#include "analysis/model.h"
#include "analysis/suppressions.h"
#include "reports/reporter.h"

namespace heapscope::reports {

struct LeaksTextOptions {
    analysis::LeakKindSet kinds = analysis::LeakKindSet::all(); // the loss records shown
    bool growth = false;                                        // add the growing call sites
    bool genSuppressions = false; // a suppression block after each loss record shown
};

// "   at FRAME" for the innermost frame, "   by FRAME" for its callers, one line each.
std::string stackText(const std::vector<analysis::Frame>& frames);

// The shown loss records, numbered over all records largest first as "loss record i of n".
std::string lossRecordsText(const analysis::Model& model, const StackResolver& resolve,
                            const LeaksTextOptions& options);

// "LEAK SUMMARY:" and its five lines, in memcheck's words and alignment.
std::string leakSummaryText(const analysis::LeakTotals& leaks);

// The suppressions that took something: "used_suppression: 2 name file:line ...".
std::string usedSuppressionsText(const std::vector<analysis::Suppression>& suppressions,
                                 const std::vector<analysis::SuppressionUse>& uses);

std::string growthText(const analysis::Model& model, const StackResolver& resolve);

// The whole `leaks` report.
std::string leaksText(const analysis::Model& model, const StackResolver& resolve,
                      const LeaksTextOptions& options);

} // namespace heapscope::reports
