// reports: the data the HTML pages are drawn from, as one JSON object embedded in the page
// (see markup.h scriptJson). The page's script reads nothing else.
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/model.h"
#include "reports/reporter.h"

namespace heapscope::reports {

// Sections of the page beside the summary; each one's data is present only when asked for.
struct PageSections {
    bool timeline = true;
    bool flame = true;
    bool tables = true; // top sites, loss records, growth, heap errors
};

// {"title", "summary" (exactly summary --json), "metrics", "flame", "timeline", "sites",
//  "leaks", "growth", "errors"}.
nlohmann::ordered_json pageData(const analysis::Model& model, const StackResolver& resolve,
                                const PageSections& sections);

} // namespace heapscope::reports
