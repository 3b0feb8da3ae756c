// reports: how the text and chart reports say which time window of the recording they show
// (analysis/window.h), so a reader never takes a window's figures for the whole run's.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "analysis/model.h"

namespace heapscope::reports {

// "1.50 s to 3.00 s of 4.21 s", or "at 1.50 s of 4.21 s" for an instant.
std::string windowText(const analysis::WindowSpan& span);

// "window: …\n" to open a report, empty for the whole trace.
std::string windowLine(const analysis::Model& model);

// title + " (window: …)", or title alone for the whole trace.
std::string titleWithWindow(std::string title, const analysis::Model& model);

// {"from_ns": …, "to_ns": …}.
nlohmann::ordered_json windowJson(const analysis::WindowSpan& span);

} // namespace heapscope::reports
