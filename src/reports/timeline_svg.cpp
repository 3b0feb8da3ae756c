// reports: the timeline as SVG.
#include "reports/timeline_svg.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/sizes.h"
#include "reports/markup.h"
#include "reports/timeline_columns.h"
#include "reports/window_text.h"

namespace heapscope::reports {
namespace {

constexpr double kWidth = 960;
constexpr double kHeight = 420;
constexpr double kLeft = 80;
constexpr double kRight = 20;
constexpr double kTop = 40;
constexpr double kBottom = 50;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;
constexpr int kTicks = 4;

struct Scale {
    std::uint64_t endNs;
    std::uint64_t yMax;
    double x(std::uint64_t timeNs) const {
        return kLeft + kPlotWidth * static_cast<double>(timeNs) / static_cast<double>(endNs);
    }
    double y(std::uint64_t bytes) const {
        return kTop + kPlotHeight * (1.0 - static_cast<double>(bytes) / static_cast<double>(yMax));
    }
};

// The heap as a step line: it holds each level until the next point.
std::string heapPath(const analysis::Model& model, const Scale& scale) {
    std::string d = fmt::format("M{:.1f},{:.1f}", scale.x(0), scale.y(0));
    std::uint64_t level = 0;
    for (const auto& point : model.timeline) {
        fmt::format_to(std::back_inserter(d), " L{:.1f},{:.1f} L{:.1f},{:.1f}",
                       scale.x(point.timeNs), scale.y(level), scale.x(point.timeNs),
                       scale.y(point.heapBytes));
        level = point.heapBytes;
    }
    fmt::format_to(std::back_inserter(d), " L{:.1f},{:.1f} L{:.1f},{:.1f} Z", scale.x(scale.endNs),
                   scale.y(level), scale.x(scale.endNs), scale.y(0));
    return d;
}

std::string rssPoints(const analysis::Model& model, const Scale& scale) {
    std::string points;
    for (const auto& point : model.timeline) {
        if (point.rssBytes == 0) continue;
        fmt::format_to(std::back_inserter(points), "{:.1f},{:.1f} ", scale.x(point.timeNs),
                       scale.y(point.rssBytes));
    }
    return points;
}

void axes(std::string& out, const Scale& scale) {
    out += fmt::format(
        R"(<g class="axes" stroke="#444" fill="none"><path d="M{0},{1} V{2} H{3}"/></g>)"
        "\n",
        kLeft, kTop, kTop + kPlotHeight, kLeft + kPlotWidth);
    for (int i = 0; i <= kTicks; ++i) {
        const std::uint64_t bytes = scale.yMax / kTicks * static_cast<std::uint64_t>(i);
        const std::uint64_t time = scale.endNs / kTicks * static_cast<std::uint64_t>(i);
        out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)"
                           "\n",
                           kLeft - 6, scale.y(bytes) + 4, xmlEscape(formatSize(bytes)));
        out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)"
                           "\n",
                           scale.x(time), kTop + kPlotHeight + 18, xmlEscape(formatDuration(time)));
    }
}

} // namespace

std::string timelineSvg(const analysis::Model& model) {
    const analysis::Summary& s = model.summary;
    const TimelineColumns cols = timelineColumns(model, 1);
    const Scale scale{cols.endNs, cols.yMax};
    std::string out = fmt::format(
        R"(<?xml version="1.0" encoding="UTF-8"?>)"
        "\n"
        R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif" font-size="12">)"
        "\n<title>{2}</title>\n"
        R"(<rect width="100%" height="100%" fill="white"/>)"
        "\n"
        R"(<text x="{3}" y="22" font-size="15">{2}</text>)"
        "\n",
        kWidth, kHeight,
        xmlEscape(titleWithWindow(fmt::format("heap over time of {}: peak {} at {}",
                                              model.header.executable, formatSize(s.peakHeapBytes),
                                              formatDuration(s.peakHeapTimeNs)),
                                  model)),
        kLeft);
    axes(out, scale);
    out += fmt::format(
        R"(<path class="heap" d="{}" fill="#e8a33d" fill-opacity="0.6" stroke="#b36b00"/>)"
        "\n",
        heapPath(model, scale));
    out += fmt::format(
        R"(<polyline class="rss" points="{}" fill="none" stroke="#3060c0" stroke-width="1.5"/>)"
        "\n",
        rssPoints(model, scale));
    for (const auto& mark : model.marks) {
        const double x = scale.x(mark.timeNs);
        out += fmt::format(
            R"svg(<g class="mark"><line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" stroke="#777" stroke-dasharray="4 3"/><text x="{3:.1f}" y="{4}" transform="rotate(-90 {3:.1f} {4})">{5}</text></g>)svg"
            "\n",
            x, kTop, kTop + kPlotHeight, x - 3, kTop + kPlotHeight - 4, xmlEscape(mark.name));
    }
    const double peakX = scale.x(s.peakHeapTimeNs);
    const double peakY = scale.y(s.peakHeapBytes);
    out += fmt::format(
        R"(<g class="peak"><circle cx="{0:.1f}" cy="{1:.1f}" r="4" fill="#c00"/><text x="{0:.1f}" y="{2:.1f}" text-anchor="middle" fill="#c00">{3}</text></g>)"
        "\n",
        peakX, peakY, std::max(kTop - 4, peakY - 8),
        xmlEscape(fmt::format("peak {} at {}", formatSize(s.peakHeapBytes),
                              formatDuration(s.peakHeapTimeNs))));
    out += fmt::format(
        R"(<g class="legend"><rect x="{0}" y="{1}" width="12" height="12" fill="#e8a33d"/><text x="{2}" y="{3}">heap</text><rect x="{4}" y="{1}" width="12" height="3" fill="#3060c0"/><text x="{5}" y="{3}">RSS</text></g>)"
        "\n</svg>\n",
        kLeft, kHeight - 20, kLeft + 16, kHeight - 10, kLeft + 70, kLeft + 86);
    return out;
}

} // namespace heapscope::reports
