// reports: the lines `heapscope run` prints on stderr when the program has ended.
#pragma once

#include <string>

#include "analysis/model.h"
#include "analysis/suppressions.h"
#include "reports/reporter.h"

namespace heapscope::reports {

// What `run --leak-check` asked for.
struct RunLeakOptions {
    bool lossRecords = false;                                   // --leak-check=full
    analysis::LeakKindSet kinds = analysis::LeakKindSet::all(); // the loss records shown
    bool genSuppressions = false;
};

// The leak part: loss records (full), the LEAK SUMMARY in memcheck's shape and a line on heap
// errors, each line starting "heapscope: ". Empty when the trace has no leak check at exit and
// no heap errors.
std::string runLeakText(const analysis::Model& model, const StackResolver& resolve,
                        const RunLeakOptions& options, const std::string& tracePath);

// Every line starts "heapscope: ", the prefix of everything heapscope says on stderr. leakText
// (from runLeakText) goes before the line naming the trace.
std::string runSummaryText(const analysis::Model& model, const std::string& tracePath,
                           const std::string& leakText = {});

// Whether `run --error-exitcode` applies: heap errors, or leaks of `kinds` after suppression.
bool runFoundErrors(const analysis::Model& model, analysis::LeakKindSet kinds);

} // namespace heapscope::reports
