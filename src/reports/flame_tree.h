// reports: the call tree of the Model's sites, merged by function name, with every site figure
// summed at every level. Flame graphs root it at the outermost frame (main); the ms_print-style
// peak tree of `timeline` roots it at the allocating function instead.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/model.h"
#include "reports/reporter.h"
#include "reports/sites.h"

namespace heapscope::reports {

// One figure per SiteOrder, in the order of kSiteOrderNames.
using FlameValues = std::array<std::uint64_t, kSiteOrderNames.size()>;

struct FlameNode {
    std::string name;
    FlameValues values{};                // the sum over every site below this node
    std::vector<std::uint32_t> children; // indexes into FlameTree::nodes, in first-seen order
};

enum class FlameRoot {
    Outermost, // main at the root, allocating functions at the leaves: a flame graph
    Innermost, // allocating functions at the root, callers below: ms_print's tree
};

struct FlameTree {
    std::vector<FlameNode> nodes; // nodes[0] is the root, named "all", holding the totals

    const FlameNode& root() const { return nodes.front(); }
    std::uint64_t value(std::uint32_t node, SiteOrder metric) const {
        return nodes[node].values[static_cast<std::size_t>(metric)];
    }
};

FlameTree buildFlameTree(const analysis::Model& model, const StackResolver& resolve,
                         FlameRoot root);

// Children worth less than minFraction of the root in every one of `metrics` are merged, with
// everything below them, into one child per parent named "[N smaller frames]" ("[1 smaller
// frame]"). Bounds the tree however many distinct stacks the trace has: for one metric, at most
// 1/minFraction nodes survive at each depth.
FlameTree mergeTinyFrames(const FlameTree& tree, double minFraction,
                          std::span<const SiteOrder> metrics);

// The tree as compact JSON for the pages' scripts: {"names": [...], "root": NODE} with
// NODE = [name index, [figures in kSiteOrderNames order], [NODE...]].
nlohmann::ordered_json flameTreeJson(const FlameTree& tree);

} // namespace heapscope::reports
