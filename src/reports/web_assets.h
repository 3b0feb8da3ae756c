// reports: the scripts and styles of the HTML pages, compiled in at build time from
// src/reports/web (uPlot from the npm registry, the rest our own); see web/CMakeLists.txt.
#pragma once

#include <string_view>

namespace heapscope::reports::web {

std::string_view uplotJs();  // uPlot, the timeline chart (minified)
std::string_view uplotCss(); // its styles
std::string_view flameJs();  // the interactive flame graph
std::string_view pageJs();   // builds the page's sections from its embedded data
std::string_view pageCss();  // the page's styles

} // namespace heapscope::reports::web
