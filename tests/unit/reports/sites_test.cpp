// Tests of the reports: ranking call sites by each `--by` key, with `-n`.
#include <gtest/gtest.h>

#include "reports/sites.h"
#include "sample_model.h"

namespace heapscope::reports {
namespace {

// Each site leads in exactly one figure, so each order puts a different site first.
std::vector<analysis::SiteStats> sampleSites() {
    //              stack allocs  bytes  peak leaked temporary
    return {test::site(1, 10, 5000, 100, 0, 1),   // most bytes
            test::site(2, 900, 1000, 200, 50, 2), // most allocations
            test::site(3, 5, 2000, 900, 10, 0),   // biggest at the peak
            test::site(4, 2, 800, 0, 800, 0),     // most leaked
            test::site(5, 50, 100, 0, 0, 40)};    // most temporary
}

std::vector<std::uint32_t> stacksOf(const std::vector<analysis::SiteStats>& sites) {
    std::vector<std::uint32_t> stacks;
    for (const auto& s : sites) stacks.push_back(s.stack.value);
    return stacks;
}

using Stacks = std::vector<std::uint32_t>;

TEST(RankSites, ByEachKeyLargestFirstLeavingOutZeros) {
    const auto sites = sampleSites();
    EXPECT_EQ(stacksOf(rankSites(sites, SiteOrder::Allocated, 10)), (Stacks{1, 3, 2, 4, 5}));
    EXPECT_EQ(stacksOf(rankSites(sites, SiteOrder::Count, 10)), (Stacks{2, 5, 1, 3, 4}));
    EXPECT_EQ(stacksOf(rankSites(sites, SiteOrder::Peak, 10)), (Stacks{3, 2, 1}));
    EXPECT_EQ(stacksOf(rankSites(sites, SiteOrder::Leaked, 10)), (Stacks{4, 2, 3}));
    EXPECT_EQ(stacksOf(rankSites(sites, SiteOrder::Temporary, 10)), (Stacks{5, 2, 1}));
}

TEST(RankSites, LimitKeepsTheLargest) {
    const auto sites = sampleSites();
    EXPECT_EQ(stacksOf(rankSites(sites, SiteOrder::Allocated, 2)), (Stacks{1, 3}));
    EXPECT_EQ(stacksOf(rankSites(sites, SiteOrder::Count, 1)), (Stacks{2}));
    EXPECT_TRUE(rankSites(sites, SiteOrder::Count, 0).empty());
    EXPECT_TRUE(rankSites({}, SiteOrder::Count, 10).empty());
}

TEST(RankSites, TiesGoToMoreBytesThenMoreAllocationsThenSmallerStack) {
    const std::vector<analysis::SiteStats> sites = {
        test::site(9, 1, 10, 0, 7, 0), test::site(8, 1, 10, 0, 7, 0), test::site(7, 2, 10, 0, 7, 0),
        test::site(6, 1, 20, 0, 7, 0)};
    EXPECT_EQ(stacksOf(rankSites(sites, SiteOrder::Leaked, 10)), (Stacks{6, 7, 8, 9}));
}

TEST(SiteOrder, ParsesEveryNameAndRejectsOthers) {
    for (const auto name : kSiteOrderNames) {
        const auto order = parseSiteOrder(name);
        ASSERT_TRUE(order.has_value()) << name;
        EXPECT_EQ(siteOrderName(*order), name);
    }
    EXPECT_EQ(parseSiteOrder("peak"), SiteOrder::Peak);
    EXPECT_FALSE(parseSiteOrder("bogus").has_value());
    EXPECT_FALSE(parseSiteOrder("").has_value());
    EXPECT_FALSE(parseSiteOrder("Allocated").has_value());
}

TEST(SiteKey, IsTheFigureTheOrderNames) {
    const auto s = test::site(1, 2, 3, 4, 5, 6);
    EXPECT_EQ(siteKey(s, SiteOrder::Count), 2u);
    EXPECT_EQ(siteKey(s, SiteOrder::Allocated), 3u);
    EXPECT_EQ(siteKey(s, SiteOrder::Peak), 4u);
    EXPECT_EQ(siteKey(s, SiteOrder::Leaked), 5u);
    EXPECT_EQ(siteKey(s, SiteOrder::Temporary), 6u);
}

} // namespace
} // namespace heapscope::reports
