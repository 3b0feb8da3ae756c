// reports: the order memcheck's loss records are numbered in, shared by the text and JSON.
#pragma once

#include <algorithm>
#include <vector>

#include "analysis/model.h"

namespace heapscope::reports {

// Largest first by total bytes (direct and indirect, as memcheck sizes a record), then by stack
// so the numbering is stable.
inline std::vector<const analysis::LossRecord*> lossRecordsInOrder(const analysis::Model& model) {
    std::vector<const analysis::LossRecord*> out;
    for (const auto& r : model.lossRecords)
        out.push_back(&r);
    std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
        const auto total = [](const analysis::LossRecord* r) {
            return r->leaked.bytes + r->indirect.bytes;
        };
        if (total(a) != total(b)) return total(a) > total(b);
        if (a->stack != b->stack) return a->stack < b->stack;
        return a->kind > b->kind;
    });
    return out;
}

} // namespace heapscope::reports
