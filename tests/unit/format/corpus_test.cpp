// format tests: every file of the damaged-trace corpus (tests/fuzz/corpus, made by
// make_corpus) is refused or read to a non-Complete end with a reason.
#include <gtest/gtest.h>

#include <filesystem>

#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

TEST(Corpus, EveryDamagedFileEndsWithAReason) {
    const std::filesystem::path dir =
        std::filesystem::path(HEAPSCOPE_SOURCE_DIR) / "tests/fuzz/corpus";
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        SCOPED_TRACE(entry.path().filename().string());
        const ReadBack back = readTrace(entry.path().string());
        if (back.opened) {
            EXPECT_NE(ReadOutcome::Complete, back.outcome);
        }
        EXPECT_FALSE(back.error.empty());
        ++files;
    }
    EXPECT_GE(files, 12u);
}

} // namespace
} // namespace heapscope::format::testing
