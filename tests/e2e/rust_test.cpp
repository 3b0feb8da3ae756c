// e2e: the Rust victim — Rust allocations per site and demangled Rust names (ground truth in
// tests/victims/rust_victim.rs).
#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

constexpr std::string_view kRustVictim = HEAPSCOPE_RUST_VICTIM;

TEST(RustVictim, BoxesCountedAndNamed) {
    if (kRustVictim.empty()) {
        GTEST_SKIP() << "rustc was not found when configuring: no Rust victim";
    }
    const Recording& recording = recordOnce({std::string(kRustVictim)});
    ASSERT_TRUE(exitedCleanly(recording.result));
    EXPECT_EQ(recording.result.out, "rust_victim: 260 boxes kept\n");
    const auto top = topJson(recording.trace);
    const auto site = siteTotals(top, "rust_victim::make_boxes");
    EXPECT_EQ(site.allocations, 300u);
    EXPECT_EQ(site.bytesAllocated, 300u * 256u);
    EXPECT_EQ(site.leakedBytes, 40u * 256u);
    // Demangled: no "_ZN" or "_R" symbols where the name is known.
    const auto found = findSite(top, "rust_victim::make_boxes");
    ASSERT_FALSE(found.is_null());
    for (const auto& frame : found.at("stack")) {
        if (frame.at("function").is_string()) {
            EXPECT_FALSE(frame.at("function").get<std::string>().starts_with("_ZN"))
                << frame.dump();
        }
    }
}

} // namespace
} // namespace heapscope::e2e
