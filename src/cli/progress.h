// cli: a progress bar on stderr for long analyses, drawn only when stderr is a terminal so that
// scripts and logs see nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "analysis/analyze.h"

namespace heapscope::cli {

class ProgressBar {
public:
    // Enabled when stderr is a terminal.
    explicit ProgressBar(std::string label);
    ~ProgressBar(); // erases the bar
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    bool enabled() const { return m_enabled; }
    void update(const analysis::AnalysisProgress& progress);
    // update() as a callback for AnalyzeOptions::progress; empty when the bar is disabled.
    std::function<void(const analysis::AnalysisProgress&)> callback();

private:
    std::string m_label;
    bool m_enabled = false;
    bool m_drawn = false;
};

} // namespace heapscope::cli
