// reports: what every report shares. A report is a function of the Model; the stacks it prints
// come through a StackResolver, so tests can hand in frames without symbolizing real binaries.
#pragma once

#include <functional>
#include <vector>

#include "analysis/model.h"
#include "analysis/symbolizer.h"

namespace heapscope::reports {

// The frames of one stack, innermost first, inline frames expanded.
using StackResolver = std::function<std::vector<analysis::Frame>(StackId)>;

// The resolver used outside tests: the symbolizer's view of the model's stacks.
inline StackResolver symbolizingResolver(const analysis::Model& model,
                                         analysis::Symbolizer& symbolizer) {
    return [&model, &symbolizer](StackId stack) { return symbolizer.symbolizeStack(model, stack); };
}

} // namespace heapscope::reports
