// cli: the progress bar.
#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "common/sizes.h"

namespace heapscope::cli {
namespace {

constexpr int kBarWidth = 30;

} // namespace

ProgressBar::ProgressBar(std::string label)
    : m_label(std::move(label)), m_enabled(isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
    // "\r" then "erase line": the next message starts on a clean line.
    if (m_drawn) std::fputs("\r\x1b[2K", stderr);
}

void ProgressBar::update(const analysis::AnalysisProgress& progress) {
    if (!m_enabled) return;
    const std::uint64_t done = progress.bytesRead;
    const std::uint64_t total = progress.fileBytes;
    const double fraction =
        total == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    const int filled = static_cast<int>(fraction * kBarWidth);
    fmt::print(stderr, "\r{}: [{}{}] {:5.1f}% of the trace, {} events, {} read", m_label,
               std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(kBarWidth - filled), ' '), 100.0 * fraction,
               formatCount(progress.records), formatSize(done));
    std::fflush(stderr);
    m_drawn = true;
}

std::function<void(const analysis::AnalysisProgress&)> ProgressBar::callback() {
    if (!m_enabled) return {};
    return [this](const analysis::AnalysisProgress& progress) { update(progress); };
}

} // namespace heapscope::cli
