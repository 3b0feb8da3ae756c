// reports: what every report shares. A report is a function of the Model; the stacks it prints
// come through a StackResolver, so tests can hand in frames without symbolizing real binaries.
#pragma once

#include <functional>
#include <utility>
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

// For reports that print every stack (flame graphs, exports): symbolizes the frames of every
// stack first, on every core. The trie's nodes hold each frame once.
inline void symbolizeEveryStack(const analysis::Model& model, analysis::Symbolizer& symbolizer) {
    std::vector<std::uint64_t> addresses;
    addresses.reserve(model.stacks.size());
    for (const analysis::StackNode& node : model.stacks) addresses.push_back(node.returnAddress);
    symbolizer.prefetch(std::move(addresses));
}

} // namespace heapscope::reports
