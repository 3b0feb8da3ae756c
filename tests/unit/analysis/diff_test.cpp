// tests (analysis): `diff` matches sites by their symbolized stacks and flags growth past the
// threshold; `check` compares each budget given.
#include <gtest/gtest.h>

#include "analysis/budget.h"
#include "analysis/diff.h"

namespace heapscope::analysis::test {
namespace {

SiteStats site(std::uint32_t stack, std::uint64_t allocations, std::uint64_t bytes) {
    SiteStats s;
    s.stack = StackId(stack);
    s.allocations = allocations;
    s.bytesAllocated = bytes;
    s.peakBytes = bytes;
    return s;
}

Model model(std::vector<SiteStats> sites) {
    Model m;
    for (const auto& s : sites) {
        m.summary.allocations += s.allocations;
        m.summary.bytesAllocated += s.bytesAllocated;
        m.summary.peakHeapBytes += s.peakBytes;
    }
    m.sites = std::move(sites);
    return m;
}

// Stack ids differ between the two models; the names decide: ids 1 and 11 are "f", 2 and 12 "g",
// 3 is "h" (base only) and 13 "k" (new only).
std::vector<Frame> frames(const Model&, StackId stack) {
    static const char* names[] = {"?", "f", "g", "h"};
    Frame frame;
    frame.address = 0x1000 + stack.value;
    frame.function = stack.value == 13 ? "k" : names[stack.value % 10];
    return {frame};
}

TEST(Diff, GrowthPastTheThreshold) {
    EXPECT_FALSE(grewPast(100, 110, 10));
    EXPECT_TRUE(grewPast(100, 111, 10));
    EXPECT_FALSE(grewPast(100, 50, 0));
    EXPECT_TRUE(grewPast(0, 1, 1000));
    EXPECT_FALSE(grewPast(0, 0, 0));
}

TEST(Diff, SitesMatchBySymbolizedStack) {
    const Model base = model({site(1, 10, 1000), site(2, 5, 500), site(3, 1, 10)});
    const Model current = model({site(11, 10, 1000), site(12, 6, 560), site(13, 2, 20)});
    const DiffResult diff = diffModels(base, current, 10, frames);
    ASSERT_EQ(diff.sites.size(), 4u);
    // Largest change of bytes allocated first: g (+60), k (+20), h (-10), f (0).
    EXPECT_EQ(diff.sites[0].baseStack, StackId(2));
    EXPECT_EQ(diff.sites[0].newStack, StackId(12));
    EXPECT_EQ(diff.sites[0].current.allocations, 6u);
    EXPECT_FALSE(diff.sites[1].baseStack);
    EXPECT_EQ(diff.sites[1].newStack, StackId(13));
    EXPECT_EQ(diff.sites[2].baseStack, StackId(3));
    EXPECT_FALSE(diff.sites[2].newStack);
    EXPECT_EQ(diff.sites[3].base.bytesAllocated, diff.sites[3].current.bytesAllocated);
    // 1510 -> 1580 bytes is 4.6%; 16 -> 18 allocations 12.5%.
    EXPECT_TRUE(diff.regressed);
    ASSERT_EQ(diff.totals.size(), 4u);
    EXPECT_TRUE(diff.totals[0].regressed);  // allocations
    EXPECT_FALSE(diff.totals[1].regressed); // bytes allocated
    EXPECT_FALSE(diffModels(base, current, 12.5, frames).regressed);
}

TEST(Budget, EachGivenBudgetIsChecked) {
    Summary s;
    s.peakHeapBytes = 1000;
    s.leakedBytes = 1;
    s.allocations = 7;
    Budgets budgets;
    budgets.maxPeakBytes = 1000;
    budgets.maxLeakedBytes = 0;
    const auto checks = checkBudgets(s, budgets);
    ASSERT_EQ(checks.size(), 2u);
    EXPECT_EQ(checks[0].figure, BudgetFigure::PeakBytes);
    EXPECT_TRUE(checks[0].passed);
    EXPECT_EQ(checks[1].figure, BudgetFigure::LeakedBytes);
    EXPECT_FALSE(checks[1].passed);
    EXPECT_EQ(checks[1].actual, 1u);
}

} // namespace
} // namespace heapscope::analysis::test
