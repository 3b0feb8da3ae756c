// tests (analysis): Valgrind-format suppressions — parsing (other tools' entries skipped,
// malformed files named by line), wildcard and '...' matching on symbolized frames, and the
// loss records they move to "suppressed".
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/suppressions.h"

namespace heapscope::analysis {
namespace {

using format::LeakKind;

Frame frame(std::string function, std::string module = "/usr/bin/app",
            std::string file = "/src/app.cpp", std::uint32_t line = 10) {
    Frame f;
    f.address = 0x401000;
    f.function = std::move(function);
    f.module = std::move(module);
    f.file = std::move(file);
    f.line = line;
    return f;
}

// make_order(int) <- OrderBook::add(Order const&) <- main, as heapscope records stacks (the
// caller of the allocation function first).
const std::vector<Frame> kStack = {frame("make_order(int)"), frame("OrderBook::add(Order const&)"),
                                   frame("main", "/usr/bin/app", "/src/main.cpp", 7)};

Suppression one(const std::string& text) {
    const auto all = parseSuppressions(text, "test.supp");
    EXPECT_EQ(all.size(), 1u) << text;
    return all.empty() ? Suppression{} : all.front();
}

std::string parseError(const std::string& text) {
    try {
        (void)parseSuppressions(text, "bad.supp");
    } catch (const SuppressionError& e) {
        return e.what();
    }
    return "no error";
}

TEST(LeakKinds, ParsesMemchecksLists) {
    const auto some = LeakKindSet::parse("definite, possible");
    ASSERT_TRUE(some);
    EXPECT_TRUE(some->contains(LeakKind::DefinitelyLost));
    EXPECT_TRUE(some->contains(LeakKind::PossiblyLost));
    EXPECT_FALSE(some->contains(LeakKind::IndirectlyLost));
    EXPECT_FALSE(some->contains(LeakKind::StillReachable));
    EXPECT_TRUE(LeakKindSet::parse("all")->contains(LeakKind::StillReachable));
    EXPECT_TRUE(LeakKindSet::parse("none")->empty());
    EXPECT_FALSE(LeakKindSet::parse("definitely"));
    EXPECT_FALSE(LeakKindSet::parse(""));
    EXPECT_FALSE(LeakKindSet::parse("definite,"));
}

TEST(Glob, StarAndQuestionMark) {
    EXPECT_TRUE(globMatch("make_*", "make_order(int)"));
    EXPECT_TRUE(globMatch("*order*", "make_order(int)"));
    EXPECT_TRUE(globMatch("mak?_order(int)", "make_order(int)"));
    EXPECT_TRUE(globMatch("*", ""));
    EXPECT_FALSE(globMatch("make_", "make_order(int)"));
    EXPECT_FALSE(globMatch("?", ""));
    EXPECT_TRUE(globMatch("*lib*.so*", "/usr/lib/libfoo.so.1"));
}

TEST(SuppressionParse, ReadsALeakEntryAndSkipsOtherTools) {
    const auto all = parseSuppressions(R"(# comment
{
   cond-in-libz
   Memcheck:Cond
   obj:*/libz.so*
}
{
   a-write
   Memcheck:Param
   write(buf)
   fun:__write_nocancel
}
{
   race
   Helgrind:Race
   fun:worker
}

  {
     orders
     Memcheck:Leak
     match-leak-kinds: definite,indirect
     fun:malloc
     fun:make_order*
     ...
     fun:main
  }
)",
                                       "x.supp");
    ASSERT_EQ(all.size(), 1u);
    const Suppression& s = all[0];
    EXPECT_EQ(s.name, "orders");
    EXPECT_EQ(s.file, "x.supp");
    EXPECT_EQ(s.line, 19u);
    EXPECT_TRUE(s.kinds.contains(LeakKind::IndirectlyLost));
    EXPECT_FALSE(s.kinds.contains(LeakKind::PossiblyLost));
    ASSERT_EQ(s.frames.size(), 4u);
    EXPECT_EQ(s.frames[2].type, FramePattern::Type::Ellipsis);
}

TEST(SuppressionParse, MalformedFilesNameTheLine) {
    EXPECT_EQ(parseError("{\n  x\n  Memcheck:Leak\n  fun:main\n}\nnot-a-brace\n"),
              "bad.supp:6: expected '{' to begin a suppression, not 'not-a-brace'");
    EXPECT_EQ(parseError("{\n  x\n  Memcheck:Leak\n  func:main\n}\n"),
              "bad.supp:4: expected fun:, obj:, src: or '...', not 'func:main'");
    EXPECT_EQ(parseError("{\n  x\n  Memcheck:Leak\n  fun:main\n"),
              "bad.supp:4: the file ends inside a suppression, '}' expected");
    EXPECT_EQ(parseError("{\n  x\n  MemcheckLeak\n}\n"),
              "bad.supp:3: expected TOOL:KIND (as in Memcheck:Leak), not 'MemcheckLeak'");
    EXPECT_EQ(parseError("{\n  x\n  Memcheck:Leak\n  match-leak-kinds: lost\n  fun:f\n}\n"),
              "bad.supp:4: match-leak-kinds: unknown kind list 'lost'");
    EXPECT_EQ(parseError("{\n  x\n  Memcheck:Leak\n}\n"),
              "bad.supp:4: a suppression needs at least one fun:, obj: or src: line");
    EXPECT_EQ(parseError("{\n  x\n  Memcheck:Cond\n  fun:f\n{\n"),
              "bad.supp:5: '{' inside a suppression (a '}' is missing)");
}

TEST(SuppressionMatch, WithOrWithoutTheAllocationFunction) {
    EXPECT_TRUE(suppresses(one("{\nn\nMemcheck:Leak\nfun:malloc\nfun:make_order(int)\n}"),
                           LeakKind::DefinitelyLost, kStack));
    EXPECT_TRUE(suppresses(one("{\nn\nMemcheck:Leak\nfun:_Znwm\nfun:make_order*\n}"),
                           LeakKind::DefinitelyLost, kStack));
    EXPECT_TRUE(suppresses(one("{\nn\nMemcheck:Leak\nfun:make_order(int)\nfun:OrderBook::*\n}"),
                           LeakKind::DefinitelyLost, kStack));
    // The frames must follow one another from the top.
    EXPECT_FALSE(suppresses(one("{\nn\nMemcheck:Leak\nfun:OrderBook::*\n}"),
                            LeakKind::DefinitelyLost, kStack));
    EXPECT_FALSE(suppresses(one("{\nn\nMemcheck:Leak\nfun:malloc\nfun:main\n}"),
                            LeakKind::DefinitelyLost, kStack));
}

TEST(SuppressionMatch, EllipsisSkipsAnyNumberOfFrames) {
    EXPECT_TRUE(
        suppresses(one("{\nn\nMemcheck:Leak\n...\nfun:main\n}"), LeakKind::DefinitelyLost, kStack));
    EXPECT_TRUE(suppresses(one("{\nn\nMemcheck:Leak\nfun:malloc\n...\nfun:OrderBook*\n...\n}"),
                           LeakKind::DefinitelyLost, kStack));
    EXPECT_FALSE(suppresses(one("{\nn\nMemcheck:Leak\n...\nfun:main\nfun:*\n}"),
                            LeakKind::DefinitelyLost, kStack));
}

TEST(SuppressionMatch, ObjectSourceAndKinds) {
    EXPECT_TRUE(suppresses(
        one("{\nn\nMemcheck:Leak\nobj:*/vgpreload_memcheck-amd64-linux.so\nobj:/usr/bin/*\n}"),
        LeakKind::PossiblyLost, kStack));
    EXPECT_TRUE(suppresses(one("{\nn\nMemcheck:Leak\n...\nsrc:main.cpp:7\n}"),
                           LeakKind::PossiblyLost, kStack));
    EXPECT_FALSE(suppresses(one("{\nn\nMemcheck:Leak\n...\nsrc:main.cpp:8\n}"),
                            LeakKind::PossiblyLost, kStack));
    const Suppression definite =
        one("{\nn\nMemcheck:Leak\nmatch-leak-kinds: definite\n...\nfun:main\n}");
    EXPECT_TRUE(suppresses(definite, LeakKind::DefinitelyLost, kStack));
    EXPECT_FALSE(suppresses(definite, LeakKind::StillReachable, kStack));
}

TEST(SuppressionMatch, MangledNamesFromMemcheckFilesMatchDemangledFrames) {
    EXPECT_TRUE(suppresses(one("{\nn\nMemcheck:Leak\nfun:_Znwm\nfun:_Z10make_orderi\n}"),
                           LeakKind::DefinitelyLost, kStack));
    EXPECT_FALSE(suppresses(one("{\nn\nMemcheck:Leak\nfun:_Znwm\nfun:_Z10make_orderl\n}"),
                            LeakKind::DefinitelyLost, kStack));
}

TEST(SuppressionApply, MovesMatchedRecordsToSuppressed) {
    Model model;
    model.summary.leaks.definitelyLost = {300, 3};
    model.summary.leaks.stillReachable = {50, 1};
    model.lossRecords = {LossRecord{LeakKind::DefinitelyLost, StackId{1}, {200, 2}, {}},
                         LossRecord{LeakKind::DefinitelyLost, StackId{2}, {100, 1}, {}},
                         LossRecord{LeakKind::StillReachable, StackId{1}, {50, 1}, {}}};
    const auto suppressions = parseSuppressions(
        "{\n unused\n Memcheck:Leak\n fun:nothing\n}\n"
        "{\n orders\n Memcheck:Leak\n match-leak-kinds: definite\n fun:make_order*\n}\n",
        "x.supp");
    const auto uses = applySuppressions(model, suppressions, [](StackId stack) {
        return stack == StackId{1} ? kStack : std::vector<Frame>{frame("other()")};
    });
    ASSERT_EQ(uses.size(), 2u);
    EXPECT_EQ(uses[0].records, 0u);
    EXPECT_EQ(uses[1].records, 1u);
    EXPECT_EQ(uses[1].leaked.bytes, 200u);
    EXPECT_EQ(model.summary.leaks.definitelyLost.bytes, 100u);
    EXPECT_EQ(model.summary.leaks.definitelyLost.blocks, 1u);
    EXPECT_EQ(model.summary.leaks.suppressed.bytes, 200u);
    EXPECT_EQ(model.summary.leaks.suppressed.blocks, 2u);
    EXPECT_EQ(model.summary.leaks.stillReachable.bytes, 50u);
    ASSERT_EQ(model.lossRecords.size(), 2u);
    EXPECT_EQ(model.lossRecords[0].stack, StackId{2});
    EXPECT_EQ(model.lossRecords[1].kind, LeakKind::StillReachable);
}

} // namespace
} // namespace heapscope::analysis
