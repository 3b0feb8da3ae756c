// e2e: the report commands on damaged traces — they summarize what they can read or exit 2 with
// a one-line reason; they never crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

const Recording& goodTrace() { return recordOnce({victimPath("victim_basic")}); }

void writeAll(const std::string& path, std::string_view bytes) {
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Status 0 (read up to the damage) or 2 with exactly one line on stderr; never a signal.
void expectGraceful(const std::vector<std::string>& args, const std::string& what) {
    const Result result = heapscope(args);
    ASSERT_TRUE(result.exited()) << what << ": " << result.describe();
    const int status = result.exitCode();
    EXPECT_TRUE(status == 0 || status == 2) << what << ": " << result.describe();
    if (status == 2) {
        EXPECT_FALSE(result.err.empty()) << what;
        EXPECT_LE(std::count(result.err.begin(), result.err.end(), '\n'), 1)
            << what << ": " << result.err;
    }
}

void expectAllReportsGraceful(const std::string& trace, const std::string& what) {
    expectGraceful({"summary", trace}, what + " (summary)");
    expectGraceful({"summary", trace, "--json"}, what + " (summary --json)");
    expectGraceful({"top", trace, "--by", "peak"}, what + " (top)");
    expectGraceful({"top", trace, "--json", "--by", "leaked"}, what + " (top --json)");
}

TEST(BadInput, MissingAndEmptyFilesExitTwo) {
    TempDir dir;
    const Result missing = heapscope({"summary", dir.file("missing.hst")});
    EXPECT_EQ(missing.exitCode(), 2) << missing.describe();
    writeAll(dir.file("empty.hst"), "");
    const Result empty = heapscope({"summary", dir.file("empty.hst")});
    EXPECT_EQ(empty.exitCode(), 2) << empty.describe();
    writeAll(dir.file("text.hst"), "this is not a heapscope trace\n");
    const Result text = heapscope({"summary", dir.file("text.hst")});
    EXPECT_EQ(text.exitCode(), 2) << text.describe();
}

TEST(BadInput, TruncatedTraces) {
    ASSERT_TRUE(exitedCleanly(goodTrace().result));
    const std::string bytes = fileContents(goodTrace().trace);
    ASSERT_GT(bytes.size(), 64u);
    TempDir dir;
    for (const std::size_t keep : {bytes.size() / 2, bytes.size() - 1, std::size_t{16},
                                   std::size_t{4}, bytes.size() * 9 / 10}) {
        const std::string path = dir.file("cut" + std::to_string(keep) + ".hst");
        writeAll(path, std::string_view(bytes).substr(0, keep));
        expectAllReportsGraceful(path, "cut to " + std::to_string(keep) + " bytes");
    }
}

TEST(BadInput, FlippedBytes) {
    ASSERT_TRUE(exitedCleanly(goodTrace().result));
    const std::string bytes = fileContents(goodTrace().trace);
    ASSERT_GT(bytes.size(), 64u);
    TempDir dir;
    // A fixed generator: the same damage on every run.
    std::uint32_t state = 2024;
    for (int variant = 0; variant < 12; ++variant) {
        std::string damaged = bytes;
        for (int flip = 0; flip <= variant; ++flip) {
            state = state * 1664525u + 1013904223u;
            damaged[state % damaged.size()] ^= static_cast<char>(1 + (state >> 24) % 255);
        }
        const std::string path = dir.file("flip" + std::to_string(variant) + ".hst");
        writeAll(path, damaged);
        expectAllReportsGraceful(path, "variant " + std::to_string(variant));
    }
}

} // namespace
} // namespace heapscope::e2e
