// reports: the JSON shape of a frame and of a stack.
#include "reports/json_frames.h"

#include <fmt/format.h>

namespace heapscope::reports {
namespace {

template <typename T> nlohmann::ordered_json orNull(const std::optional<T>& value) {
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

} // namespace

std::string hexAddress(std::uint64_t address) { return fmt::format("{:#x}", address); }

nlohmann::ordered_json frameJson(const analysis::Frame& frame) {
    return nlohmann::ordered_json{
        {"address", hexAddress(frame.address)}, {"function", orNull(frame.function)},
        {"file", orNull(frame.file)},           {"line", orNull(frame.line)},
        {"module", orNull(frame.module)},       {"inlined", frame.inlined}};
}

nlohmann::ordered_json stackJson(const std::vector<analysis::Frame>& frames) {
    nlohmann::ordered_json stack = nlohmann::ordered_json::array();
    for (const auto& frame : frames) stack.push_back(frameJson(frame));
    return stack;
}

} // namespace heapscope::reports
