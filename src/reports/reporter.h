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
    for (const analysis::StackNode& node : model.stacks)
        addresses.push_back(node.returnAddress);
    symbolizer.prefetch(std::move(addresses));
}

// For reports that print some stacks (top sites, loss records, errors): symbolizes their frames
// first, on several cores when there are enough of them (Symbolizer::prefetch decides).
inline void symbolizeStacks(const analysis::Model& model, analysis::Symbolizer& symbolizer,
                            const std::vector<StackId>& stacks) {
    std::vector<std::uint64_t> addresses;
    for (const StackId stack : stacks) {
        const std::vector<std::uint64_t> frames = analysis::returnAddresses(model, stack);
        addresses.insert(addresses.end(), frames.begin(), frames.end());
    }
    symbolizer.prefetch(std::move(addresses));
}

// The stacks of the given call sites, as above.
inline void symbolizeSites(const analysis::Model& model, analysis::Symbolizer& symbolizer,
                           const std::vector<analysis::SiteStats>& sites) {
    std::vector<StackId> stacks;
    stacks.reserve(sites.size());
    for (const analysis::SiteStats& site : sites)
        stacks.push_back(site.stack);
    symbolizeStacks(model, symbolizer, stacks);
}

} // namespace heapscope::reports
