// reports: frames and the command line as one line of text each.
#include "reports/valgrind_text.h"

#include <fmt/format.h>

namespace heapscope::reports {

std::string valgrindFrameLabel(const analysis::Frame& frame) {
    std::string label = fmt::format("0x{:X}: {}", frame.address, frame.function.value_or("???"));
    if (frame.file) {
        label += fmt::format(" ({}:{})", *frame.file, frame.line.value_or(0));
    } else if (frame.module) {
        label += fmt::format(" (in {})", *frame.module);
    }
    return label;
}

std::string shortFrameName(const analysis::Frame& frame) {
    if (frame.function) return *frame.function;
    if (frame.module) {
        const std::string& module = *frame.module;
        return fmt::format("{}+{:#x}", module.substr(module.rfind('/') + 1), frame.address);
    }
    return fmt::format("{:#x}", frame.address);
}

std::string commandLineText(const analysis::Model& model) {
    std::string cmd;
    for (const auto& arg : model.header.commandLine) {
        if (!cmd.empty()) cmd += ' ';
        cmd += arg;
    }
    if (cmd.empty()) cmd = model.summary.program;
    for (char& c : cmd) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return cmd;
}

} // namespace heapscope::reports
