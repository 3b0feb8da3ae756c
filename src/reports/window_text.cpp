// reports: the window line and key of the report commands.
#include "reports/window_text.h"

#include <fmt/format.h>

#include "common/sizes.h"

namespace heapscope::reports {

std::string windowText(const analysis::WindowSpan& span) {
    if (span.fromNs == span.toNs) {
        return fmt::format("at {} of {}", formatDuration(span.fromNs),
                           formatDuration(span.traceEndNs));
    }
    return fmt::format("{} to {} of {}", formatDuration(span.fromNs), formatDuration(span.toNs),
                       formatDuration(span.traceEndNs));
}

std::string windowLine(const analysis::Model& model) {
    if (!model.window) return {};
    return fmt::format("window: {}\n", windowText(*model.window));
}

std::string titleWithWindow(std::string title, const analysis::Model& model) {
    if (model.window) title += fmt::format(" (window: {})", windowText(*model.window));
    return title;
}

nlohmann::ordered_json windowJson(const analysis::WindowSpan& span) {
    return nlohmann::ordered_json{{"from_ns", span.fromNs}, {"to_ns", span.toNs}};
}

} // namespace heapscope::reports
