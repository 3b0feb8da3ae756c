// reports: `summary --json`.
#include "reports/summary_json.h"

#include "reports/window_text.h"

namespace heapscope::reports {
namespace {

nlohmann::ordered_json byteCountJson(const analysis::ByteCount& count) {
    return nlohmann::ordered_json{{"bytes", count.bytes}, {"blocks", count.blocks}};
}

} // namespace

nlohmann::ordered_json leakTotalsJson(const analysis::LeakTotals& leaks) {
    return nlohmann::ordered_json{{"definitely_lost", byteCountJson(leaks.definitelyLost)},
                                  {"indirectly_lost", byteCountJson(leaks.indirectlyLost)},
                                  {"possibly_lost", byteCountJson(leaks.possiblyLost)},
                                  {"still_reachable", byteCountJson(leaks.stillReachable)},
                                  {"suppressed", byteCountJson(leaks.suppressed)}};
}

nlohmann::ordered_json summaryJson(const analysis::Summary& s) {
    return nlohmann::ordered_json{
        {"program", s.program},
        {"pid", s.pid},
        {"runtime_ns", s.runtimeNs},
        {"exit_status",
         s.exitStatus ? nlohmann::ordered_json(*s.exitStatus) : nlohmann::ordered_json(nullptr)},
        {"truncated", s.truncated},
        {"sample_rate", s.sampleRate},
        {"paused_ns", s.pausedNs},
        {"threads", s.threads},
        {"allocations", s.allocations},
        {"frees", s.frees},
        {"bytes_allocated", s.bytesAllocated},
        {"peak_heap_bytes", s.peakHeapBytes},
        {"peak_heap_time_ns", s.peakHeapTimeNs},
        {"peak_rss_bytes", s.peakRssBytes},
        {"temporary_allocations", s.temporaryAllocations},
        {"leaked_bytes", s.leakedBytes},
        {"leaked_blocks", s.leakedBlocks},
        {"leaks", leakTotalsJson(s.leaks)},
        {"errors", nlohmann::ordered_json{{"double_free", s.errors.doubleFree},
                                          {"invalid_free", s.errors.invalidFree},
                                          {"mismatched_free", s.errors.mismatchedFree}}}};
}

nlohmann::ordered_json summaryJson(const analysis::Model& model) {
    nlohmann::ordered_json out = summaryJson(model.summary);
    if (model.window) out["window"] = windowJson(*model.window);
    return out;
}

} // namespace heapscope::reports
