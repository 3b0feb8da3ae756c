// e2e: victim `inline` (-O2) — an inlined function appears as its own frame, marked inlined,
// before the function it was inlined into (ground truth in tests/victims/inline.cpp).
#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

const Recording& inlineVictim() { return recordOnce({victimPath("victim_inline")}); }

TEST(InlineVictim, SiteCounts) {
    ASSERT_TRUE(exitedCleanly(inlineVictim().result));
    const auto site = siteTotals(topJson(inlineVictim().trace), "outer_function");
    EXPECT_EQ(site.allocations, 10u);
    EXPECT_EQ(site.bytesAllocated, 7770u);
    EXPECT_EQ(site.leakedBytes, 7770u);
}

TEST(InlineVictim, InlinedFrameComesBeforeItsCaller) {
    ASSERT_TRUE(exitedCleanly(inlineVictim().result));
    const auto site = findSite(topJson(inlineVictim().trace), "outer_function");
    ASSERT_FALSE(site.is_null()) << "no stack with outer_function";
    const auto& stack = site.at("stack");
    for (std::size_t i = 0; i < stack.size(); ++i) {
        if (frameMatches(stack[i], "inlined_helper")) {
            EXPECT_EQ(stack[i].at("inlined"), true) << stack[i].dump();
            ASSERT_LT(i + 1, stack.size());
            EXPECT_TRUE(frameMatches(stack[i + 1], "outer_function")) << stack.dump(2);
            EXPECT_EQ(stack[i + 1].at("inlined"), false) << stack.dump(2);
            return;
        }
    }
    FAIL() << "no inlined_helper frame in " << stack.dump(2);
}

} // namespace
} // namespace heapscope::e2e
