// reports: making untrusted text (symbol names, paths, the command line) safe to put into XML,
// SVG and HTML. Symbols come from the profiled program: they may hold '<', '&', bytes that are
// not UTF-8, or text made to look like markup.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace heapscope::reports {

// Valid UTF-8 with no control characters: invalid bytes become U+FFFD and control characters
// (other than tab) a space, since XML 1.0 allows neither even when escaped (and a terminal
// would obey an escape sequence).
std::string cleanText(std::string_view text);

// cleanText, then & < > " ' as character references: safe in element text and attribute values.
std::string xmlEscape(std::string_view text);

// The JSON text of data for a <script type="application/json"> element: '<', '>', '&' and
// U+2028/U+2029 are written as \uXXXX, so no "</script>" or "<!--" can appear in it.
std::string scriptJson(const nlohmann::ordered_json& data);

} // namespace heapscope::reports
