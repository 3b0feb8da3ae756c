// reports: `top --json`.
#include "reports/top_json.h"

#include "reports/json_frames.h"

namespace heapscope::reports {

nlohmann::ordered_json topJson(const std::vector<analysis::SiteStats>& ranked,
                               const StackResolver& resolve) {
    nlohmann::ordered_json sites = nlohmann::ordered_json::array();
    for (const auto& site : ranked) {
        sites.push_back(nlohmann::ordered_json{{"allocations", site.allocations},
                                               {"bytes_allocated", site.bytesAllocated},
                                               {"peak_bytes", site.peakBytes},
                                               {"leaked_bytes", site.leakedBytes},
                                               {"temporary_allocations", site.temporaryAllocations},
                                               {"stack", stackJson(resolve(site.stack))}});
    }
    return sites;
}

} // namespace heapscope::reports
