// reports: the ASCII timeline and the peak tree.
#include "reports/timeline_text.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "common/sizes.h"
#include "reports/flame_tree.h"
#include "reports/markup.h"
#include "reports/timeline_columns.h"
#include "reports/window_text.h"

namespace heapscope::reports {
namespace {

constexpr int kLabelWidth = 10;
// ms_print leaves out the branches below 1% of the total the same way.
constexpr double kTreeThreshold = 0.01;

// Rows of the bar for a value: ceil(value * rows / yMax), so any non-zero heap shows.
int barRows(std::uint64_t value, std::uint64_t yMax) {
    const auto rows = static_cast<unsigned long long>(kTimelineRows);
    return static_cast<int>(
        (static_cast<long double>(value) * rows + static_cast<long double>(yMax) - 1) /
        static_cast<long double>(yMax));
}

char markLetter(std::size_t index) { return static_cast<char>('A' + index % 26); }

void drawGraph(std::string& out, const analysis::Model& model, const TimelineColumns& cols) {
    const std::size_t width = cols.heap.size();
    std::vector<std::string> grid(kTimelineRows, std::string(width, ' '));
    for (std::size_t c = 0; c < width; ++c) {
        const int heapRows = barRows(cols.heap[c], cols.yMax);
        const char bar = c == cols.peakColumn ? '#' : ':';
        for (int r = 0; r < heapRows && r < kTimelineRows; ++r)
            grid[kTimelineRows - 1 - r][c] = bar;
        const int rssRows = barRows(cols.rss[c], cols.yMax);
        if (rssRows > heapRows && rssRows <= kTimelineRows) grid[kTimelineRows - rssRows][c] = '.';
    }
    for (int r = 0; r < kTimelineRows; ++r) {
        const std::string label = r == 0 ? formatSize(cols.yMax) : "";
        out += fmt::format("{:>{}}|{}\n", label, kLabelWidth, grid[static_cast<std::size_t>(r)]);
    }
    out += fmt::format("{:>{}}+{}> time\n", "0", kLabelWidth, std::string(width, '-'));
    std::string axis(width, ' ');
    const std::string end = formatDuration(cols.endNs);
    axis.replace(width - std::min(width, end.size()), std::min(width, end.size()), end);
    out += fmt::format("{:>{}} {}\n", "", kLabelWidth, axis);
    if (model.marks.empty()) return;
    std::string row(width, ' ');
    for (std::size_t i = 0; i < model.marks.size(); ++i)
        row[cols.columnOf(model.marks[i].timeNs)] = markLetter(i);
    out += fmt::format("{:>{}} {}\n", "marks", kLabelWidth, row);
}

// ms_print's layout: a "| " runs down to the next sibling, the last child is indented plainly.
void drawTree(std::string& out, const FlameTree& tree, std::uint32_t node,
              const std::string& indent, std::uint64_t total) {
    std::vector<std::uint32_t> shown;
    for (const std::uint32_t child : tree.nodes[node].children) {
        if (tree.value(child, SiteOrder::Peak) > 0) shown.push_back(child);
    }
    for (std::size_t i = 0; i < shown.size(); ++i) {
        const std::uint64_t bytes = tree.value(shown[i], SiteOrder::Peak);
        const double percent = 100.0 * static_cast<double>(bytes) / static_cast<double>(total);
        out += fmt::format("{}->{:05.2f}% ({}) {}\n", indent, percent, formatSize(bytes),
                           cleanText(tree.nodes[shown[i]].name));
        drawTree(out, tree, shown[i], indent + (i + 1 < shown.size() ? "| " : "  "), total);
    }
}

} // namespace

std::string timelineText(const analysis::Model& model, const StackResolver& resolve) {
    const analysis::Summary& s = model.summary;
    const TimelineColumns cols = timelineColumns(model, kTimelineColumns);
    std::string out = windowLine(model);
    out += fmt::format("heap over time of {}: peak {} at {}, peak RSS {}\n"
                       "':' heap, '#' the peak, '.' RSS; one column is {}, one row {}\n\n",
                       cleanText(model.header.executable), formatSize(s.peakHeapBytes),
                       formatDuration(s.peakHeapTimeNs), formatSize(s.peakRssBytes),
                       formatDuration(cols.endNs / kTimelineColumns),
                       formatSize(cols.yMax / kTimelineRows));
    drawGraph(out, model, cols);
    if (!model.paused.empty()) {
        out += "  recording paused:";
        for (const analysis::PausedInterval& p : model.paused)
            out += fmt::format(" {} to {};", formatDuration(p.startNs), formatDuration(p.endNs));
        out.back() = '\n';
    }
    for (std::size_t i = 0; i < model.marks.size(); ++i) {
        out += fmt::format("  {} at {}: {}\n", markLetter(i), formatDuration(model.marks[i].timeNs),
                           cleanText(model.marks[i].name));
    }

    out += fmt::format("\nLive at the peak ({} at {}), by allocating function and callers:\n",
                       formatSize(s.peakHeapBytes), formatDuration(s.peakHeapTimeNs));
    const std::array metric{SiteOrder::Peak};
    const FlameTree tree = mergeTinyFrames(buildFlameTree(model, resolve, FlameRoot::Innermost),
                                           kTreeThreshold, metric);
    const std::uint64_t total = tree.value(0, SiteOrder::Peak);
    if (total == 0) {
        out += "(nothing was live)\n";
        return out;
    }
    out += fmt::format("100.00% ({}) live at the peak\n", formatSize(total));
    drawTree(out, tree, 0, "", total);
    return out;
}

} // namespace heapscope::reports
