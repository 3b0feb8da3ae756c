// tests/unit/reports: `errors` as text and JSON on a hand-built Model: each kind's memcheck-style
// wording, the three stacks in their places, the block's size and offset, and the counts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reports/errors_json.h"
#include "reports/errors_text.h"

namespace heapscope::reports {
namespace {

using format::ErrorKind;
using format::ErrorRecord;

// Stack n has n frames f<n>_0 (innermost) ... f<n>_<n-1>, so each stack is told apart.
std::vector<analysis::Frame> frames(StackId stack) {
    std::vector<analysis::Frame> out;
    for (std::uint32_t i = 0; i < stack.value; ++i) {
        analysis::Frame f;
        f.address = 0x1000 * stack.value + i;
        f.function = "f" + std::to_string(stack.value) + "_" + std::to_string(i);
        out.push_back(f);
    }
    return out;
}

analysis::Model model() {
    analysis::Model m;
    m.errors = {
        ErrorRecord{ThreadIndex{0}, 10, ErrorKind::DoubleFree, 0x5000, 48, StackId{2}, StackId{1},
                    StackId{3}, 0},
        ErrorRecord{ThreadIndex{0}, 20, ErrorKind::InvalidFree, 0x6010, 1024, StackId{1},
                    StackId{2}, StackId{}, 16},
        ErrorRecord{ThreadIndex{1}, 30, ErrorKind::InvalidFree, 0x7ffc0000, 0, StackId{1},
                    StackId{}, StackId{}, 0},
        ErrorRecord{ThreadIndex{1}, 40, ErrorKind::MismatchedFree, 0x8000, 24, StackId{1},
                    StackId{2}, StackId{}, 0},
    };
    m.summary.errors = {1, 2, 1};
    return m;
}

TEST(ErrorsText, MemcheckWordingWithEveryStack) {
    const std::string expected =
        "4 heap errors: 1 double free, 2 invalid frees, 1 mismatched free\n"
        "\n"
        "Invalid free() / delete / delete[] / realloc()\n"
        "   at 0x2000 f2_0\n"
        "   by 0x2001 f2_1\n"
        " Address 0x5000 is 0 bytes inside a block of size 48 free'd\n"
        "   at 0x3000 f3_0\n"
        "   by 0x3001 f3_1\n"
        "   by 0x3002 f3_2\n"
        " Block was alloc'd at\n"
        "   at 0x1000 f1_0\n"
        "\n"
        "Invalid free() / delete / delete[] / realloc()\n"
        "   at 0x1000 f1_0\n"
        " Address 0x6010 is 16 bytes inside a block of size 1,024 alloc'd\n"
        "   at 0x2000 f2_0\n"
        "   by 0x2001 f2_1\n"
        "\n"
        "Invalid free() / delete / delete[] / realloc()\n"
        "   at 0x1000 f1_0\n"
        " Address 0x7ffc0000 is not in the heap (a stack or static "
        "address, or not mapped)\n"
        "\n"
        "Mismatched free() / delete / delete []\n"
        "   at 0x1000 f1_0\n"
        " Address 0x8000 is 0 bytes inside a block of size 24 alloc'd\n"
        "   at 0x2000 f2_0\n"
        "   by 0x2001 f2_1\n";
    EXPECT_EQ(errorsText(model(), frames), expected);
}

TEST(ErrorsText, MissingStacksAndErrorsNotKept) {
    analysis::Model m;
    m.errors = {ErrorRecord{ThreadIndex{0}, 10, ErrorKind::DoubleFree, 0x5000, 48, StackId{1},
                            StackId{1}, StackId{}, 0}};
    m.summary.errors = {3, 0, 0};
    m.diagnostics.errorsNotKept = 2;
    const std::string text = errorsText(m, frames);
    EXPECT_NE(text.find("size 48 free'd\n   (no stack recorded)\n Block was alloc'd at\n"),
              std::string::npos)
        << text;
    EXPECT_TRUE(text.ends_with("\n... and 2 more, not listed\n")) << text;
    EXPECT_EQ(errorsText(analysis::Model{}, frames), "no heap errors\n");
}

TEST(ErrorsJson, FieldsInTheDocumentedOrder) {
    const auto json = errorsJson(model(), frames);
    ASSERT_EQ(json.size(), 4u);
    const auto& first = json[0];
    std::vector<std::string> keys;
    for (const auto& item : first.items())
        keys.push_back(item.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"kind", "address", "size", "offset", "stack",
                                              "alloc_stack", "free_stack"}));
    EXPECT_EQ(first["kind"], "double_free");
    EXPECT_EQ(first["address"], "0x5000");
    EXPECT_EQ(first["size"], 48);
    EXPECT_EQ(first["stack"].size(), 2u);
    EXPECT_EQ(first["stack"][0]["function"], "f2_0");
    EXPECT_EQ(first["alloc_stack"][0]["function"], "f1_0");
    EXPECT_EQ(first["free_stack"].size(), 3u);
    EXPECT_EQ(json[1]["kind"], "invalid_free");
    EXPECT_EQ(json[1]["offset"], 16);
    EXPECT_TRUE(json[1]["free_stack"].empty());
    EXPECT_TRUE(json[2]["alloc_stack"].empty());
    EXPECT_EQ(json[2]["size"], 0);
    EXPECT_EQ(json[3]["kind"], "mismatched_free");
    EXPECT_TRUE(errorsJson(analysis::Model{}, frames).empty());
}

} // namespace
} // namespace heapscope::reports
