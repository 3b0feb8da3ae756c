// cli: a progress bar on stderr for long analyses, drawn only when stderr is a terminal so that
// scripts and logs see nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace heapscope::cli {

class ProgressBar {
public:
    // Enabled when stderr is a terminal.
    explicit ProgressBar(std::string label);
    ~ProgressBar(); // erases the bar
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    bool enabled() const { return m_enabled; }
    void update(std::uint64_t done, std::uint64_t total);
    // update() as a callback for AnalyzeOptions::progress; empty when the bar is disabled.
    std::function<void(std::uint64_t, std::uint64_t)> callback();

private:
    std::string m_label;
    bool m_enabled = false;
    bool m_drawn = false;
};

} // namespace heapscope::cli
