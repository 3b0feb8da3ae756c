// e2e: heap misuse caught in the hooks — victim `heap_errors` (ground truth in
// tests/victims/heap_errors.cpp), one misuse per mode, cross-checked with valgrind memcheck.
#include <filesystem>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

constexpr const char* kLastLine = "heap_errors: reached the end\n";

struct Case {
    const char* mode;
    const char* kind;
    std::uint64_t size;
    std::uint64_t offset;
    const char* stackFunction; // the bad call's caller
    const char* allocFunction; // nullptr: no block, alloc_stack is empty
    const char* freeFunction;  // nullptr: free_stack is empty
    const char* memcheckKind;  // the kind memcheck gives the same misuse
};

const Case kCases[] = {
    {"double_free", "double_free", 48, 0, "victim_second_free", "victim_alloc_malloc",
     "victim_first_free", "InvalidFree"},
    {"free_stack", "invalid_free", 0, 0, "victim_free_stack_address", nullptr, nullptr,
     "InvalidFree"},
    {"free_static", "invalid_free", 0, 0, "victim_free_static_address", nullptr, nullptr,
     "InvalidFree"},
    {"interior", "invalid_free", 64, 16, "victim_free_interior", "victim_alloc_malloc", nullptr,
     "InvalidFree"},
    {"malloc_delete", "mismatched_free", 24, 0, "victim_delete_one", "victim_alloc_malloc", nullptr,
     "MismatchedFree"},
    {"new_free", "mismatched_free", 24, 0, "victim_first_free", "victim_new_one", nullptr,
     "MismatchedFree"},
    {"new_array_delete", "mismatched_free", 96, 0, "victim_delete_one", "victim_new_array", nullptr,
     "MismatchedFree"},
    {"new_delete_array", "mismatched_free", 24, 0, "victim_delete_array", "victim_new_one", nullptr,
     "MismatchedFree"},
    {"realloc_freed", "double_free", 32, 0, "victim_realloc_freed", "victim_alloc_malloc",
     "victim_first_free", "InvalidFree"},
};

const Recording& recording(const Case& c, const std::vector<std::string>& options = {}) {
    return recordOnce({victimPath("victim_heap_errors"), c.mode}, options);
}

// The address the victim announces on its first line: "<mode> block at 0x…".
std::string announcedAddress(const std::string& out) {
    std::smatch m;
    const std::string first = out.substr(0, out.find('\n'));
    return std::regex_search(first, m, std::regex(" block at (0x[0-9a-f]+)$")) ? m[1].str() : "";
}

nlohmann::json errorsJson(const std::string& trace) {
    const Result r = heapscope({"errors", trace, "--json"});
    if (!r.exited() || r.exitCode() != 0) throw std::runtime_error(r.describe());
    return nlohmann::json::parse(r.out);
}

class HeapErrors : public ::testing::TestWithParam<Case> {};

TEST_P(HeapErrors, ProgramCarriesOnToTheEnd) {
    const Recording& rec = recording(GetParam());
    ASSERT_TRUE(exitedCleanly(rec.result));
    ASSERT_GE(rec.result.out.size(), std::string(kLastLine).size());
    EXPECT_TRUE(rec.result.out.ends_with(kLastLine)) << rec.result.out;
    EXPECT_EQ(withoutHeapscopeLines(rec.result.err), "");
}

TEST_P(HeapErrors, JsonNamesTheErrorAndItsThreeStacks) {
    const Case& c = GetParam();
    const Recording& rec = recording(c);
    ASSERT_TRUE(exitedCleanly(rec.result));
    const auto errors = errorsJson(rec.trace);
    ASSERT_EQ(errors.size(), 1u) << errors.dump(2);
    const auto& e = errors[0];
    EXPECT_EQ(e.at("kind"), c.kind);
    EXPECT_EQ(e.at("address"), announcedAddress(rec.result.out));
    EXPECT_EQ(e.at("size"), c.size);
    EXPECT_EQ(e.at("offset"), c.offset);
    EXPECT_TRUE(frameMatches(e.at("stack").at(0), c.stackFunction)) << e.at("stack").dump(2);
    EXPECT_TRUE(stackContains(e.at("stack"), "main"));
    if (c.allocFunction != nullptr) {
        ASSERT_FALSE(e.at("alloc_stack").empty());
        EXPECT_TRUE(frameMatches(e.at("alloc_stack").at(0), c.allocFunction))
            << e.at("alloc_stack").dump(2);
    } else {
        EXPECT_TRUE(e.at("alloc_stack").empty());
    }
    if (c.freeFunction != nullptr) {
        ASSERT_FALSE(e.at("free_stack").empty());
        EXPECT_TRUE(frameMatches(e.at("free_stack").at(0), c.freeFunction))
            << e.at("free_stack").dump(2);
    } else {
        EXPECT_TRUE(e.at("free_stack").empty());
    }
}

TEST_P(HeapErrors, SummaryCountsTheError) {
    const Case& c = GetParam();
    const Recording& rec = recording(c);
    ASSERT_TRUE(exitedCleanly(rec.result));
    const auto summary = summaryJson(rec.trace);
    const auto& errors = summary.at("errors");
    for (const char* kind : {"double_free", "invalid_free", "mismatched_free"}) {
        EXPECT_EQ(errors.at(kind), std::string(kind) == c.kind ? 1 : 0) << kind;
    }
    // The bad free was not passed on, and every other block was freed: nothing leaks but
    // what the C++ runtime keeps.
    EXPECT_EQ(summary.at("truncated"), false);
}

// memcheck, run on the same victim without heapscope, finds the same misuse: same kind, same
// block size and offset, and the program reaches the same end.
TEST_P(HeapErrors, MemcheckAgrees) {
    if (!std::filesystem::exists("/usr/bin/valgrind")) GTEST_SKIP() << "valgrind is not installed";
    const Case& c = GetParam();
    TempDir dir;
    const std::string xml = dir.file("memcheck.xml");
    const Result r =
        run(Command{{"/usr/bin/valgrind", "--tool=memcheck", "--xml=yes", "--xml-file=" + xml,
                     "--leak-check=no", victimPath("victim_heap_errors"), c.mode},
                    {},
                    ""});
    ASSERT_TRUE(exitedCleanly(r));
    EXPECT_TRUE(r.out.ends_with(kLastLine)) << r.out;
    const std::string report = fileContents(xml);
    std::vector<std::string> kinds;
    const std::regex kindPattern("<kind>([A-Za-z]+)</kind>");
    for (auto it = std::sregex_iterator(report.begin(), report.end(), kindPattern);
         it != std::sregex_iterator(); ++it) {
        kinds.push_back((*it)[1].str());
    }
    ASSERT_EQ(kinds, std::vector<std::string>{c.memcheckKind}) << report;
    std::smatch block;
    if (std::regex_search(report, block,
                          std::regex("is ([0-9,]+) bytes inside a block of size ([0-9,]+)"))) {
        EXPECT_EQ(block[1].str(), std::to_string(c.offset));
        EXPECT_EQ(block[2].str(), std::to_string(c.size));
    } else {
        EXPECT_EQ(c.size, 0u) << "memcheck names a block heapscope did not:\n" << report;
    }
}

INSTANTIATE_TEST_SUITE_P(Modes, HeapErrors, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param) {
                             return std::string(param.param.mode);
                         });

TEST(HeapErrorsText, DoubleFreeReadsLikeMemcheck) {
    const Recording& rec = recording(kCases[0]);
    ASSERT_TRUE(exitedCleanly(rec.result));
    const Result r = heapscope({"errors", rec.trace});
    ASSERT_TRUE(exitedCleanly(r));
    const std::string address = announcedAddress(rec.result.out);
    const std::regex shape("1 heap error: 1 double free, 0 invalid frees, 0 mismatched frees\n"
                           "\n"
                           "Invalid free\\(\\) / delete / delete\\[\\] / realloc\\(\\)\n"
                           "   at 0x[0-9a-f]+ victim_second_free\\(void\\*\\) at "
                           "[^\n]*heap_errors.cpp:[0-9]+ in [^\n]*\n"
                           "(   by [^\n]*\n)*"
                           " Address " +
                           address +
                           " is 0 bytes inside a block of size 48 free'd\n"
                           "   at 0x[0-9a-f]+ victim_first_free\\(void\\*\\) at [^\n]*\n"
                           "(   by [^\n]*\n)*"
                           " Block was alloc'd at\n"
                           "   at 0x[0-9a-f]+ victim_alloc_malloc\\(unsigned long\\) at [^\n]*\n"
                           "(   by [^\n]*\n)*");
    EXPECT_TRUE(std::regex_match(r.out, shape)) << r.out;
}

TEST(HeapErrorsText, InteriorAndMismatchedNameTheBlock) {
    const Recording& interior = recording(kCases[3]);
    const Recording& mismatched = recording(kCases[4]);
    ASSERT_TRUE(exitedCleanly(interior.result));
    ASSERT_TRUE(exitedCleanly(mismatched.result));
    const Result a = heapscope({"errors", interior.trace});
    EXPECT_NE(a.out.find(" Address " + announcedAddress(interior.result.out) +
                         " is 16 bytes inside a block of size 64 alloc'd\n"
                         "   at "),
              std::string::npos)
        << a.out;
    const Result b = heapscope({"errors", mismatched.trace});
    EXPECT_NE(b.out.find("\nMismatched free() / delete / delete []\n   at "), std::string::npos)
        << b.out;
    EXPECT_NE(b.out.find(" is 0 bytes inside a block of size 24 alloc'd\n"), std::string::npos)
        << b.out;
}

TEST(HeapErrorsText, NotInTheHeap) {
    const Recording& rec = recording(kCases[1]);
    ASSERT_TRUE(exitedCleanly(rec.result));
    const Result r = heapscope({"errors", rec.trace});
    EXPECT_NE(r.out.find(" Address " + announcedAddress(rec.result.out) + " is not in the heap"),
              std::string::npos)
        << r.out;
}

// --free-stacks no: the double free is still caught, only the first free's stack is missing.
TEST(HeapErrorsOptions, WithoutFreeStacks) {
    const Recording& rec = recording(kCases[0], {"--free-stacks", "no"});
    ASSERT_TRUE(exitedCleanly(rec.result));
    EXPECT_TRUE(rec.result.out.ends_with(kLastLine));
    const auto errors = errorsJson(rec.trace);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].at("kind"), "double_free");
    EXPECT_EQ(errors[0].at("size"), 48);
    EXPECT_TRUE(errors[0].at("free_stack").empty());
    EXPECT_TRUE(stackContains(errors[0].at("alloc_stack"), "victim_alloc_malloc"));
}

TEST(HeapErrorsOptions, BadFreeStacksValue) {
    const Result r = heapscope({"run", "--free-stacks", "maybe", "--", "/bin/true"});
    EXPECT_EQ(r.exitCode(), 2);
    EXPECT_TRUE(r.err.starts_with("heapscope: run: --free-stacks expects yes or no")) << r.err;
}

TEST(HeapErrorsOptions, CleanProgramHasNoErrors) {
    const Recording& rec = recordOnce({victimPath("victim_basic")});
    ASSERT_TRUE(exitedCleanly(rec.result));
    EXPECT_TRUE(errorsJson(rec.trace).empty());
    const Result r = heapscope({"errors", rec.trace});
    EXPECT_EQ(r.out, "no heap errors\n");
}

} // namespace
} // namespace heapscope::e2e
