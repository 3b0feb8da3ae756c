// e2e support: run `heapscope` on victims and read its JSON reports (the contract in
// DESIGN.md), find call sites by function name, and keep each test's files in a temporary dir.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process.h"

namespace heapscope::e2e {

std::string heapscopeBinary();
// libheapscope.so, for tests that preload it by hand.
std::string recorderLibrary();
// A program of tests/victims, by file name ("victim_basic").
std::string victimPath(std::string_view name);

// A fresh directory under $TMPDIR (or /tmp), removed with its contents at the end of the test.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    [[nodiscard]] std::string file(std::string_view name) const;

  private:
    std::filesystem::path m_path;
};

// The file's bytes as they are; empty when it cannot be read.
std::string fileContents(const std::string& path);

// `heapscope run --quiet -o TRACE [OPTIONS] -- PROGRAM...`
Result heapscopeRun(const std::string& trace, const std::vector<std::string>& program,
                    const std::vector<std::string>& options = {});
// A program recorded once per test binary run (ctest runs each test in its own process; run
// directly, the tests of one victim share its trace). The trace lives until the process ends.
struct Recording {
    std::string trace;
    Result result;
};
const Recording& recordOnce(const std::vector<std::string>& program,
                            const std::vector<std::string>& options = {});
// The program exited with status 0; otherwise a message for the test's failure.
::testing::AssertionResult exitedCleanly(const Result& result);

// `heapscope ARGS...` for the report commands.
Result heapscope(const std::vector<std::string>& args);

// `summary TRACE --json` and `top TRACE --json` with every site; throw with the command's
// stderr when it fails or prints something that is not JSON.
nlohmann::json summaryJson(const std::string& trace);
nlohmann::json topJson(const std::string& trace, std::string_view by = "allocated");

// A frame matches when its function name contains `function` (C++ names carry parameter lists
// and Rust names a hash, so "victim_site_a" matches "victim_site_a()").
bool frameMatches(const nlohmann::json& frame, std::string_view function);
bool stackContains(const nlohmann::json& stack, std::string_view function);

// The sum over every `top --json` entry whose stack contains `function`.
struct SiteTotals {
    std::uint64_t entries = 0;
    std::uint64_t allocations = 0;
    std::uint64_t bytesAllocated = 0;
    std::uint64_t peakBytes = 0;
    std::uint64_t leakedBytes = 0;
    std::uint64_t temporaryAllocations = 0;
};
SiteTotals siteTotals(const nlohmann::json& top, std::string_view function);
// The first `top --json` entry whose stack contains `function`; null when none.
nlohmann::json findSite(const nlohmann::json& top, std::string_view function);
// Sum of one numeric field over all entries.
std::uint64_t sumOf(const nlohmann::json& top, const char* field);

// stderr without heapscope's own lines (they start with "heapscope:").
std::string withoutHeapscopeLines(std::string_view err);

} // namespace heapscope::e2e
