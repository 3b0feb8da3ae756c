// e2e: victim `dlopen` — allocations from a library that was unloaded before the end are still
// symbolized (ground truth in tests/victims/dlopen_main.cpp).
#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

const Recording& dlopenVictim() { return recordOnce({victimPath("victim_dlopen")}); }

TEST(DlopenVictim, PluginSiteCountsAndLeaks) {
    ASSERT_TRUE(exitedCleanly(dlopenVictim().result));
    const auto site = siteTotals(topJson(dlopenVictim().trace), "plugin_allocate");
    EXPECT_EQ(site.allocations, 25u);
    EXPECT_EQ(site.bytesAllocated, 25000u);
    EXPECT_EQ(site.leakedBytes, 25000u);
}

TEST(DlopenVictim, PluginFrameNamesItsModule) {
    ASSERT_TRUE(exitedCleanly(dlopenVictim().result));
    const auto site = findSite(topJson(dlopenVictim().trace, "leaked"), "plugin_allocate");
    ASSERT_FALSE(site.is_null()) << "no stack with plugin_allocate";
    for (const auto& frame : site.at("stack")) {
        if (frameMatches(frame, "plugin_allocate")) {
            ASSERT_TRUE(frame.at("module").is_string()) << frame.dump();
            EXPECT_NE(frame.at("module").get<std::string>().find("libvictim_plugin.so"),
                      std::string::npos)
                << frame.dump();
            EXPECT_EQ(frame.at("function"), "plugin_allocate") << frame.dump();
            return;
        }
    }
}

} // namespace
} // namespace heapscope::e2e
