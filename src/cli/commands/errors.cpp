// cli: `heapscope errors TRACE [--json]`, the heap misuse caught while recording, each with
// the stack of the bad call, of the allocation and of the earlier free.
#include <iostream>

#include "analysis/symbolizer.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/trace_input.h"
#include "reports/errors_json.h"
#include "reports/errors_text.h"
#include "reports/reporter.h"

namespace heapscope::cli {

int errorsCommand(const std::vector<std::string>& args) {
    CLI::App app{"Heap misuse caught while recording: double frees, frees of pointers that are "
                 "no block (or point inside one), and mismatched allocate/free families "
                 "(malloc/delete, new/free, new[]/delete, new/delete[]), each with the stack of "
                 "the bad call, where the block was allocated and where it was first freed.",
                 "heapscope errors"};
    std::string tracePath;
    bool json = false;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_flag("--json", json, "print the errors as JSON");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);

    const analysis::Model model = loadTrace("errors", tracePath);
    analysis::Symbolizer symbolizer(model.modules);
    std::vector<StackId> stacks;
    for (const format::ErrorRecord& error : model.errors)
        stacks.insert(stacks.end(), {error.stack, error.allocStack, error.freeStack});
    reports::symbolizeStacks(model, symbolizer, stacks);
    const auto resolve = reports::symbolizingResolver(model, symbolizer);
    if (json) {
        std::cout << reports::errorsJson(model, resolve).dump(2) << '\n';
    } else {
        std::cout << reports::errorsText(model, resolve);
    }
    return kExitSuccess;
}

} // namespace heapscope::cli
