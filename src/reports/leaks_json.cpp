// reports: `leaks --json`.
#include "reports/leaks_json.h"

#include "reports/json_frames.h"
#include "reports/leaks_order.h"
#include "reports/record_text.h"
#include "reports/summary_json.h"

namespace heapscope::reports {
namespace {

nlohmann::ordered_json stackOf(const StackResolver& resolve, StackId stack) {
    return stackJson(stack.value == 0 ? std::vector<analysis::Frame>{} : resolve(stack));
}

} // namespace

nlohmann::ordered_json leaksJson(const analysis::Model& model, const StackResolver& resolve,
                                 analysis::LeakKindSet kinds) {
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (const analysis::LossRecord* r : lossRecordsInOrder(model)) {
        if (!kinds.contains(r->kind)) continue;
        nlohmann::ordered_json record{{"kind", leakKindName(r->kind)},
                                      {"bytes", r->leaked.bytes},
                                      {"blocks", r->leaked.blocks}};
        if (r->indirect.blocks != 0) record["indirect_bytes"] = r->indirect.bytes;
        record["stack"] = stackOf(resolve, r->stack);
        records.push_back(std::move(record));
    }
    nlohmann::ordered_json growth = nlohmann::ordered_json::array();
    for (const analysis::GrowthSite& g : model.growth) {
        growth.push_back(nlohmann::ordered_json{{"bytes_per_second", g.bytesPerSecond},
                                                {"live_bytes_at_end", g.liveBytesAtEnd},
                                                {"peak_live_bytes", g.peakLiveBytes},
                                                {"stack", stackOf(resolve, g.stack)}});
    }
    return nlohmann::ordered_json{{"summary", leakTotalsJson(model.summary.leaks)},
                                  {"records", std::move(records)},
                                  {"growth", std::move(growth)}};
}

} // namespace heapscope::reports
