// reports: building the pages' data from the Model.
#include "reports/report_data.h"

#include <algorithm>
#include <array>

#include "reports/flame_tree.h"
#include "reports/flamegraph_svg.h"
#include "reports/json_frames.h"
#include "reports/leaks_json.h"
#include "reports/record_text.h"
#include "reports/summary_json.h"
#include "reports/top_text.h"
#include "reports/valgrind_text.h"
#include "reports/window_text.h"

namespace heapscope::reports {
namespace {

// Rows kept per table: enough to sort and browse, few enough for a page that opens at once.
constexpr std::size_t kTableRows = 500;

nlohmann::ordered_json stackLines(const StackResolver& resolve, StackId stack) {
    auto lines = nlohmann::ordered_json::array();
    if (stack.value == 0) return lines;
    for (const auto& frame : resolve(stack))
        lines.push_back(frameText(frame));
    return lines;
}

nlohmann::ordered_json timelineData(const analysis::Model& model) {
    auto time = nlohmann::ordered_json::array();
    auto heap = nlohmann::ordered_json::array();
    auto rss = nlohmann::ordered_json::array();
    std::uint64_t lastRss = 0;
    for (const auto& point : model.timeline) {
        time.push_back(point.timeNs);
        heap.push_back(point.heapBytes);
        // A bucket without an RSS sample shows the last one known.
        if (point.rssBytes != 0) lastRss = point.rssBytes;
        rss.push_back(lastRss);
    }
    auto marks = nlohmann::ordered_json::array();
    for (const auto& mark : model.marks)
        marks.push_back({{"time_ns", mark.timeNs}, {"name", mark.name}});
    return {{"time_ns", std::move(time)},
            {"heap", std::move(heap)},
            {"rss", std::move(rss)},
            {"marks", std::move(marks)}};
}

nlohmann::ordered_json sitesData(const analysis::Model& model, const StackResolver& resolve) {
    const auto ranked = rankSites(model.sites, SiteOrder::Allocated, kTableRows);
    auto sites = nlohmann::ordered_json::array();
    for (const auto& site : ranked) {
        sites.push_back({{"allocations", site.allocations},
                         {"bytes_allocated", site.bytesAllocated},
                         {"peak_bytes", site.peakBytes},
                         {"leaked_bytes", site.leakedBytes},
                         {"temporary_allocations", site.temporaryAllocations},
                         {"stack", stackLines(resolve, site.stack)}});
    }
    return sites;
}

nlohmann::ordered_json leaksData(const analysis::Model& model, const StackResolver& resolve) {
    auto leaks = nlohmann::ordered_json::array();
    const std::size_t count = std::min(model.lossRecords.size(), kTableRows);
    for (std::size_t i = 0; i < count; ++i) {
        const auto& record = model.lossRecords[i];
        leaks.push_back({{"kind", leakKindName(record.kind)},
                         {"bytes", record.leaked.bytes},
                         {"blocks", record.leaked.blocks},
                         {"indirect_bytes", record.indirect.bytes},
                         {"stack", stackLines(resolve, record.stack)}});
    }
    return leaks;
}

nlohmann::ordered_json growthData(const analysis::Model& model, const StackResolver& resolve) {
    auto growth = nlohmann::ordered_json::array();
    const std::size_t count = std::min(model.growth.size(), kTableRows);
    for (std::size_t i = 0; i < count; ++i) {
        const auto& site = model.growth[i];
        growth.push_back({{"bytes_per_second", site.bytesPerSecond},
                          {"live_bytes_at_end", site.liveBytesAtEnd},
                          {"peak_live_bytes", site.peakLiveBytes},
                          {"stack", stackLines(resolve, site.stack)}});
    }
    return growth;
}

nlohmann::ordered_json errorsData(const analysis::Model& model, const StackResolver& resolve) {
    auto errors = nlohmann::ordered_json::array();
    const std::size_t count = std::min(model.errors.size(), kTableRows);
    for (std::size_t i = 0; i < count; ++i) {
        const auto& error = model.errors[i];
        errors.push_back({{"kind", errorKindName(error.kind)},
                          {"address", hexAddress(error.address)},
                          {"size", error.size},
                          {"stack", stackLines(resolve, error.stack)},
                          {"alloc_stack", stackLines(resolve, error.allocStack)},
                          {"free_stack", stackLines(resolve, error.freeStack)}});
    }
    return errors;
}

} // namespace

nlohmann::ordered_json pageData(const analysis::Model& model, const StackResolver& resolve,
                                const PageSections& sections) {
    nlohmann::ordered_json data;
    data["title"] = titleWithWindow(commandLineText(model), model);
    data["summary"] = summaryJson(model.summary);
    auto metrics = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < kSiteOrderNames.size(); ++i) {
        const auto order = static_cast<SiteOrder>(i);
        metrics.push_back({{"name", siteOrderName(order)},
                           {"description", siteOrderDescription(order)},
                           {"bytes", order != SiteOrder::Count && order != SiteOrder::Temporary}});
    }
    data["metrics"] = std::move(metrics);
    if (sections.flame) {
        const std::array all{SiteOrder::Allocated, SiteOrder::Count, SiteOrder::Peak,
                             SiteOrder::Leaked, SiteOrder::Temporary};
        const FlameTree tree = mergeTinyFrames(buildFlameTree(model, resolve, FlameRoot::Outermost),
                                               kFlameMinFraction, all);
        data["flame"] = flameTreeJson(tree);
    }
    if (sections.timeline) data["timeline"] = timelineData(model);
    if (sections.tables) {
        data["sites"] = sitesData(model, resolve);
        data["leaks"] = leaksData(model, resolve);
        data["growth"] = growthData(model, resolve);
        data["errors"] = errorsData(model, resolve);
    }
    return data;
}

} // namespace heapscope::reports
