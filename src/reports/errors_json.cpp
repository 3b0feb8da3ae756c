// reports: `errors --json`.
#include "reports/errors_json.h"

#include "reports/json_frames.h"
#include "reports/record_text.h"

namespace heapscope::reports {

nlohmann::ordered_json errorsJson(const analysis::Model& model, const StackResolver& resolve) {
    const auto stack = [&](StackId id) {
        return id.value == 0 ? nlohmann::ordered_json::array() : stackJson(resolve(id));
    };
    nlohmann::ordered_json errors = nlohmann::ordered_json::array();
    for (const format::ErrorRecord& e : model.errors) {
        errors.push_back(nlohmann::ordered_json{{"kind", errorKindName(e.kind)},
                                                {"address", hexAddress(e.address)},
                                                {"size", e.size},
                                                {"offset", e.offset},
                                                {"stack", stack(e.stack)},
                                                {"alloc_stack", stack(e.allocStack)},
                                                {"free_stack", stack(e.freeStack)}});
    }
    return errors;
}

} // namespace heapscope::reports
