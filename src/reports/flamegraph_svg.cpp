// reports: the flame graph as SVG.
#include "reports/flamegraph_svg.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/sizes.h"
#include "reports/markup.h"

namespace heapscope::reports {
namespace {

constexpr double kWidth = 1200;
constexpr double kFrameHeight = 17;
constexpr double kTop = 34;
constexpr double kCharWidth = 7;

std::size_t depthOf(const FlameTree& tree, std::uint32_t node) {
    std::size_t depth = 0;
    for (const std::uint32_t child : tree.nodes[node].children)
        depth = std::max(depth, depthOf(tree, child));
    return depth + 1;
}

// Warm colours, fixed per name so the same function looks the same everywhere.
std::string colour(const std::string& name) {
    const std::size_t hash = std::hash<std::string>{}(name);
    return fmt::format("rgb({},{},{})", 205 + hash % 50, 80 + (hash >> 8) % 130,
                       40 + (hash >> 16) % 40);
}

std::string figure(std::uint64_t value, SiteOrder metric) {
    const bool bytes = metric != SiteOrder::Count && metric != SiteOrder::Temporary;
    return bytes ? fmt::format("{} bytes ({})", formatCount(value), formatSize(value))
                 : formatCount(value);
}

struct Layout {
    const FlameTree& tree;
    SiteOrder metric;
    double scale; // pixels per unit of the metric
    double bottom;
    std::string out;

    void frame(std::uint32_t node, double x, std::size_t depth) {
        const std::uint64_t value = tree.value(node, metric);
        const double width = static_cast<double>(value) * scale;
        const double y = bottom - static_cast<double>(depth + 1) * kFrameHeight;
        const std::string& name = tree.nodes[node].name;
        const double total = static_cast<double>(tree.value(0, metric));
        const std::string tip =
            fmt::format("{} — {} of {}, {:.2f}%", name, siteOrderDescription(metric),
                        figure(value, metric), 100.0 * static_cast<double>(value) / total);
        const auto chars = static_cast<std::size_t>(std::max(0.0, (width - 6) / kCharWidth));
        std::string label;
        if (chars >= 3) label = name.size() <= chars ? name : name.substr(0, chars - 2) + "..";
        fmt::format_to(
            std::back_inserter(out),
            R"(<g><title>{}</title><rect x="{:.2f}" y="{:.1f}" width="{:.2f}" height="{}" fill="{}" rx="2"/>)",
            xmlEscape(tip), x, y, width, kFrameHeight - 1, colour(name));
        if (!label.empty()) {
            fmt::format_to(std::back_inserter(out), R"(<text x="{:.2f}" y="{:.1f}">{}</text>)",
                           x + 3, y + kFrameHeight - 5, xmlEscape(label));
        }
        out += "</g>\n";
        double childX = x;
        for (const std::uint32_t child : tree.nodes[node].children) {
            if (tree.value(child, metric) == 0) continue;
            frame(child, childX, depth + 1);
            childX += static_cast<double>(tree.value(child, metric)) * scale;
        }
    }
};

} // namespace

std::string flamegraphSvg(const FlameTree& tree, SiteOrder metric, const std::string& title) {
    const std::size_t depth = depthOf(tree, 0);
    const double height = kTop + static_cast<double>(depth) * kFrameHeight + 10;
    const std::uint64_t total = tree.value(0, metric);
    std::string head = fmt::format(
        R"(<?xml version="1.0" encoding="UTF-8"?>)"
        "\n"
        R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="monospace" font-size="11">)"
        "\n<title>{2}</title>\n"
        R"(<rect width="100%" height="100%" fill="#fdfdf6"/><text x="{0}" y="20" font-family="sans-serif" font-size="15" text-anchor="end">{2}</text>)"
        "\n"
        R"(<text x="10" y="20" font-family="sans-serif" font-size="15">{3}</text>)"
        "\n",
        kWidth, height, xmlEscape(title),
        xmlEscape(fmt::format("{}: {}", siteOrderDescription(metric), figure(total, metric))));
    if (total == 0) return head + "</svg>\n";
    Layout layout{tree, metric, (kWidth - 20) / static_cast<double>(total), height - 10,
                  std::move(head)};
    // Frames are drawn from x = 10 so the graph has a margin on both sides.
    layout.frame(0, 10, 0);
    layout.out += "</svg>\n";
    return layout.out;
}

} // namespace heapscope::reports
