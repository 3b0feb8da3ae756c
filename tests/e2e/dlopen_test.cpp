// e2e: victim `dlopen` — allocations from a library that was unloaded before the end are still
// symbolized, and seen when the library was opened with RTLD_DEEPBIND (ground truth in
// tests/victims/dlopen_main.cpp).
#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

const Recording& dlopenVictim() { return recordOnce({victimPath("victim_dlopen")}); }
const Recording& deepBoundVictim() { return recordOnce({victimPath("victim_dlopen"), "deepbind"}); }

// The sites of the plugin and of the blocks it frees, as dlopen_main.cpp states them.
void expectPluginFigures(const Recording& recording) {
    ASSERT_TRUE(exitedCleanly(recording.result)) << recording.result.describe();
    const auto json = topJson(recording.trace);
    const auto plugin = siteTotals(json, "plugin_allocate");
    EXPECT_EQ(plugin.allocations, 25u);
    EXPECT_EQ(plugin.bytesAllocated, 25000u);
    EXPECT_EQ(plugin.leakedBytes, 25000u);
    const auto released = siteTotals(json, "main_allocates");
    EXPECT_EQ(released.allocations, 10u);
    EXPECT_EQ(released.bytesAllocated, 7770u);
    EXPECT_EQ(released.leakedBytes, 0u);
}

TEST(DlopenVictim, PluginSiteCountsAndLeaks) { expectPluginFigures(dlopenVictim()); }

TEST(DlopenVictim, APluginFoundThroughTheProgramsRunpathIsFound) {
    // glibc searches the RUNPATH of the object that called dlopen: the recorder's dlopen hook
    // must leave the program as that caller.
    expectPluginFigures(recordOnce({victimPath("victim_dlopen"), "by-name"}));
}

TEST(DlopenVictim, ADeepBoundPluginsMallocAndFreeAreSeen) {
    // RTLD_DEEPBIND binds the plugin's malloc and free to the C library's before the recorder's.
    expectPluginFigures(deepBoundVictim());
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
