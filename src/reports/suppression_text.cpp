// reports: --gen-suppressions blocks in Valgrind's format.
#include "reports/suppression_text.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "analysis/suppressions.h"

namespace heapscope::reports {
namespace {

// Older valgrind versions read at most this many frame lines in a suppression.
constexpr std::size_t kMaxFrameLines = 24;

} // namespace

std::string suppressionBlock(const analysis::LossRecord& record,
                             const std::vector<analysis::Frame>& frames) {
    std::string out = "{\n   <insert_a_suppression_name_here>\n   Memcheck:Leak\n";
    auto sink = std::back_inserter(out);
    fmt::format_to(sink, "   match-leak-kinds: {}\n   fun:*\n",
                   analysis::leakKindWord(record.kind));
    const std::size_t count = std::min(frames.size(), kMaxFrameLines - 1);
    for (std::size_t i = 0; i < count; ++i) {
        const analysis::Frame& frame = frames[i];
        if (frame.function) {
            fmt::format_to(sink, "   fun:{}\n", *frame.function);
        } else {
            fmt::format_to(sink, "   obj:{}\n", frame.module.value_or("*"));
        }
    }
    out += "}\n";
    return out;
}

} // namespace heapscope::reports
