// reports: building, pruning and serialising the call tree of the sites.
#include "reports/flame_tree.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "reports/valgrind_text.h"

namespace heapscope::reports {
namespace {

void addValues(FlameValues& into, const FlameValues& values) {
    for (std::size_t i = 0; i < into.size(); ++i)
        into[i] += values[i];
}

class TreeBuilder {
public:
    TreeBuilder() { m_tree.nodes.push_back(FlameNode{"all", {}, {}}); }

    std::uint32_t child(std::uint32_t parent, const std::string& name) {
        const auto [it, added] = m_index.try_emplace(Key{parent, name}, 0);
        if (added) {
            it->second = static_cast<std::uint32_t>(m_tree.nodes.size());
            m_tree.nodes.push_back(FlameNode{name, {}, {}});
            m_tree.nodes[parent].children.push_back(it->second);
        }
        return it->second;
    }
    void add(std::uint32_t node, const FlameValues& values) {
        addValues(m_tree.nodes[node].values, values);
    }
    FlameTree take() { return std::move(m_tree); }

private:
    struct Key {
        std::uint32_t parent;
        std::string name;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& key) const {
            return std::hash<std::string>{}(key.name) ^
                   (std::size_t{key.parent} * 0x9E3779B97F4A7C15u);
        }
    };
    FlameTree m_tree;
    std::unordered_map<Key, std::uint32_t, KeyHash> m_index;
};

FlameValues siteValues(const analysis::SiteStats& site) {
    FlameValues values{};
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = siteKey(site, static_cast<SiteOrder>(i));
    return values;
}

bool isTiny(const FlameValues& values, const FlameValues& totals, double minFraction,
            std::span<const SiteOrder> metrics) {
    return std::none_of(metrics.begin(), metrics.end(), [&](SiteOrder metric) {
        const auto i = static_cast<std::size_t>(metric);
        return values[i] > 0 &&
               static_cast<double>(values[i]) >= minFraction * static_cast<double>(totals[i]);
    });
}

void copyPruned(const FlameTree& from, std::uint32_t node, FlameTree& to, std::uint32_t into,
                double minFraction, std::span<const SiteOrder> metrics) {
    FlameValues other{};
    std::size_t merged = 0;
    for (const std::uint32_t child : from.nodes[node].children) {
        const FlameNode& source = from.nodes[child];
        if (isTiny(source.values, from.root().values, minFraction, metrics)) {
            addValues(other, source.values);
            ++merged;
            continue;
        }
        const auto copy = static_cast<std::uint32_t>(to.nodes.size());
        to.nodes.push_back(FlameNode{source.name, source.values, {}});
        to.nodes[into].children.push_back(copy);
        copyPruned(from, child, to, copy, minFraction, metrics);
    }
    if (merged == 0) return;
    to.nodes[into].children.push_back(static_cast<std::uint32_t>(to.nodes.size()));
    to.nodes.push_back(
        FlameNode{fmt::format("[{} smaller frame{}]", merged, merged == 1 ? "" : "s"), other, {}});
}

nlohmann::ordered_json nodeJson(const FlameTree& tree, std::uint32_t node,
                                std::unordered_map<std::string, std::size_t>& names,
                                nlohmann::ordered_json& nameList) {
    const FlameNode& n = tree.nodes[node];
    const auto [it, added] = names.try_emplace(n.name, names.size());
    if (added) nameList.push_back(n.name);
    auto children = nlohmann::ordered_json::array();
    for (const std::uint32_t child : n.children)
        children.push_back(nodeJson(tree, child, names, nameList));
    return nlohmann::ordered_json::array({it->second, n.values, std::move(children)});
}

} // namespace

FlameTree buildFlameTree(const analysis::Model& model, const StackResolver& resolve,
                         FlameRoot root) {
    TreeBuilder builder;
    for (const auto& site : model.sites) {
        const FlameValues values = siteValues(site);
        builder.add(0, values);
        auto frames = resolve(site.stack);
        if (frames.empty()) frames.push_back(analysis::Frame{});
        if (root == FlameRoot::Outermost) std::reverse(frames.begin(), frames.end());
        std::uint32_t node = 0;
        for (const auto& frame : frames) {
            node = builder.child(node, shortFrameName(frame));
            builder.add(node, values);
        }
    }
    return builder.take();
}

FlameTree mergeTinyFrames(const FlameTree& tree, double minFraction,
                          std::span<const SiteOrder> metrics) {
    FlameTree out;
    out.nodes.push_back(FlameNode{tree.root().name, tree.root().values, {}});
    copyPruned(tree, 0, out, 0, minFraction, metrics);
    return out;
}

nlohmann::ordered_json flameTreeJson(const FlameTree& tree) {
    std::unordered_map<std::string, std::size_t> names;
    auto nameList = nlohmann::ordered_json::array();
    auto root = nodeJson(tree, 0, names, nameList);
    return nlohmann::ordered_json{{"names", std::move(nameList)}, {"root", std::move(root)}};
}

} // namespace heapscope::reports
