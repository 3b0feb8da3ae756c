// Tests of the reports: the flame tree (sums, orientation, merging of tiny frames), the escaping
// of untrusted names for the HTML and SVG pages, and the ASCII timeline's peak tree.
#include <array>
#include <string>

#include <gtest/gtest.h>

#include "reports/flame_tree.h"
#include "reports/markup.h"
#include "reports/timeline_text.h"
#include "sample_model.h"

namespace heapscope::reports {
namespace {

analysis::Frame named(const std::string& function) {
    analysis::Frame frame;
    frame.function = function;
    return frame;
}

// Stacks by id, innermost first: 1 = leaf_a <- mid <- main, 2 = leaf_b <- mid <- main,
// 3 and up = tiny_<id> <- main.
std::vector<analysis::Frame> frames(StackId stack) {
    switch (stack.value) {
    case 1:
        return {named("leaf_a"), named("mid"), named("main")};
    case 2:
        return {named("leaf_b"), named("mid"), named("main")};
    default:
        return {named("tiny_" + std::to_string(stack.value)), named("main")};
    }
}

analysis::Model treeModel(std::uint32_t tinySites) {
    analysis::Model model;
    model.sites.push_back(test::site(1, 10, 6000, 600, 60, 1));
    model.sites.push_back(test::site(2, 20, 4000, 400, 0, 2));
    for (std::uint32_t i = 0; i < tinySites; ++i)
        model.sites.push_back(test::site(3 + i, 1, 1, 0, 0, 0));
    return model;
}

const FlameNode* childNamed(const FlameTree& tree, const FlameNode& node, const std::string& name) {
    for (const auto child : node.children) {
        if (tree.nodes[child].name == name) return &tree.nodes[child];
    }
    return nullptr;
}

TEST(FlameTree, SumsEveryFigureFromTheOutermostFrame) {
    const auto tree = buildFlameTree(treeModel(0), frames, FlameRoot::Outermost);
    EXPECT_EQ(tree.root().values, (FlameValues{10000, 30, 1000, 60, 3}));
    const FlameNode* main = childNamed(tree, tree.root(), "main");
    ASSERT_NE(main, nullptr);
    const FlameNode* mid = childNamed(tree, *main, "mid");
    ASSERT_NE(mid, nullptr);
    EXPECT_EQ(mid->values, (FlameValues{10000, 30, 1000, 60, 3}));
    const FlameNode* leaf = childNamed(tree, *mid, "leaf_b");
    ASSERT_NE(leaf, nullptr);
    EXPECT_EQ(leaf->values, (FlameValues{4000, 20, 400, 0, 2}));
}

TEST(FlameTree, InnermostRootStartsAtTheAllocatingFunction) {
    const auto tree = buildFlameTree(treeModel(0), frames, FlameRoot::Innermost);
    ASSERT_EQ(tree.root().children.size(), 2u);
    const FlameNode* leaf = childNamed(tree, tree.root(), "leaf_a");
    ASSERT_NE(leaf, nullptr);
    EXPECT_NE(childNamed(tree, *leaf, "mid"), nullptr);
}

TEST(FlameTree, TinyFramesMergeIntoOneAndTheTreeStaysSmall) {
    // 100,000 distinct one-byte stacks beside two large ones.
    const auto tree = buildFlameTree(treeModel(100000), frames, FlameRoot::Outermost);
    EXPECT_GT(tree.nodes.size(), 100000u);
    const std::array metrics{SiteOrder::Allocated, SiteOrder::Count};
    const auto merged = mergeTinyFrames(tree, 1.0 / 2000, metrics);
    // all, main, mid, leaf_a, leaf_b, "[100000 smaller frames]"
    EXPECT_EQ(merged.nodes.size(), 6u);
    const FlameNode* main = childNamed(merged, merged.root(), "main");
    ASSERT_NE(main, nullptr);
    const FlameNode* other = childNamed(merged, *main, "[100000 smaller frames]");
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->values[static_cast<std::size_t>(SiteOrder::Allocated)], 100000u);
    EXPECT_EQ(merged.root().values, tree.root().values);
}

TEST(Markup, ScriptJsonCannotCloseItsElement) {
    const nlohmann::ordered_json data = {
        {"name", "</script><script>alert(1)</script><!-- & \xE2\x80\xA8 \xE2\x80\xA9"}};
    const std::string text = scriptJson(data);
    for (const char c : text) {
        EXPECT_NE(c, '<');
        EXPECT_NE(c, '>');
        EXPECT_NE(c, '&');
    }
    EXPECT_EQ(text.find("\xE2\x80\xA8"), std::string::npos);
    EXPECT_NE(text.find("\\u2028"), std::string::npos);
    // Still the same data when read back.
    EXPECT_EQ(nlohmann::ordered_json::parse(text), data);
}

TEST(Markup, XmlEscapeReplacesMarkupControlsAndBadBytes) {
    EXPECT_EQ(xmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
    EXPECT_EQ(xmlEscape("x\x1b[31my\x01"), "x [31my ");
    EXPECT_EQ(xmlEscape("bad\xFF\xC0z"), "bad\xEF\xBF\xBD\xEF\xBF\xBDz");
    EXPECT_EQ(xmlEscape("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(TimelineText, PeakTreeFollowsMsPrint) {
    auto model = treeModel(0);
    model.summary.peakHeapBytes = 1000;
    model.summary.runtimeNs = 1000;
    const std::string text = timelineText(model, frames);
    EXPECT_NE(text.find("100.00% (1000 B) live at the peak\n"
                        "->60.00% (600 B) leaf_a\n"
                        "| ->60.00% (600 B) mid\n"
                        "|   ->60.00% (600 B) main\n"
                        "->40.00% (400 B) leaf_b\n"
                        "  ->40.00% (400 B) mid\n"
                        "    ->40.00% (400 B) main\n"),
              std::string::npos)
        << text;
}

} // namespace
} // namespace heapscope::reports
