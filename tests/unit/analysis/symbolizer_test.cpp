// tests (analysis): the symbolizer on a real binary built with -g -O2 (functions, files, lines,
// an inlined frame), its ELF-symbol fallback, unreadable and replaced modules, and the recorder's
// own frames being dropped.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "analysis/symbolizer.h"

namespace heapscope::analysis::test {
namespace {

// What the fixture program printed about itself.
struct FixtureRun {
    std::uint64_t bias = 0;
    std::vector<format::Segment> segments;
    std::map<std::string, std::uint64_t> addresses; // "inlined", "plain"
};

FixtureRun runFixture() {
    FixtureRun run;
    std::FILE* pipe = popen(SYMBOLIZE_FIXTURE, "r");
    if (pipe == nullptr) return run;
    char line[256];
    while (std::fgets(line, sizeof line, pipe) != nullptr) {
        std::istringstream in(line);
        std::string key;
        in >> key >> std::hex;
        if (key == "bias") {
            in >> run.bias;
        } else if (key == "segment") {
            format::Segment seg;
            in >> seg.start >> seg.size;
            run.segments.push_back(seg);
        } else {
            std::uint64_t address = 0;
            in >> address;
            run.addresses[key] = address;
        }
    }
    pclose(pipe);
    return run;
}

// The line of the fixture's source that carries the marker comment "LINE:<name>".
std::uint32_t markedLine(const std::string& name) {
    std::ifstream in(SYMBOLIZE_FIXTURE_SOURCE);
    std::string text;
    for (std::uint32_t number = 1; std::getline(in, text); ++number)
        if (text.find("// LINE:" + name) != std::string::npos) return number;
    ADD_FAILURE() << "no marker " << name;
    return 0;
}

std::string basename(const std::optional<std::string>& path) {
    if (!path) return "<none>";
    return path->substr(path->rfind('/') + 1);
}

ModuleInfo fakeModule(std::uint32_t id, const std::string& path, std::uint64_t start) {
    return ModuleInfo{ModuleId{id}, path, "", 0, {{start, 0x2000}}, 0, std::nullopt};
}

class SymbolizerTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_run = runFixture();
        ASSERT_FALSE(m_run.segments.empty());
        ASSERT_EQ(m_run.addresses.count("inlined"), 1u);
        ASSERT_EQ(m_run.addresses.count("plain"), 1u);
    }
    ModuleInfo fixtureModule(const std::string& path) const {
        return ModuleInfo{ModuleId{1}, path, "", m_run.bias, m_run.segments, 0, std::nullopt};
    }
    FixtureRun m_run;
};

TEST_F(SymbolizerTest, FunctionsFilesLinesAndInlineFrames) {
    Symbolizer symbolizer({fixtureModule(SYMBOLIZE_FIXTURE)});

    const std::vector<Frame>& inlined = symbolizer.symbolize(m_run.addresses["inlined"]);
    ASSERT_EQ(inlined.size(), 2u);
    EXPECT_EQ(inlined[0].function, "fixture::innerStep()");
    EXPECT_EQ(basename(inlined[0].file), "symbolize_fixture.cpp");
    EXPECT_EQ(inlined[0].line, markedLine("inner-call"));
    EXPECT_TRUE(inlined[0].inlined);
    EXPECT_EQ(inlined[1].function, "fixture::outerWork()");
    EXPECT_EQ(basename(inlined[1].file), "symbolize_fixture.cpp");
    EXPECT_EQ(inlined[1].line, markedLine("outer-call"));
    EXPECT_FALSE(inlined[1].inlined);
    for (const Frame& f : inlined) {
        EXPECT_EQ(f.address, m_run.addresses["inlined"]);
        EXPECT_EQ(f.module, std::optional<std::string>(SYMBOLIZE_FIXTURE));
    }

    const std::vector<Frame>& plain = symbolizer.symbolize(m_run.addresses["plain"]);
    ASSERT_EQ(plain.size(), 1u);
    EXPECT_EQ(plain[0].function, "fixture::plainCaller()");
    EXPECT_EQ(plain[0].line, markedLine("plain-call"));
    EXPECT_FALSE(plain[0].inlined);
    // Cached: the same frames object comes back.
    EXPECT_EQ(&symbolizer.symbolize(m_run.addresses["plain"]), &plain);
}

TEST_F(SymbolizerTest, FallsBackToTheElfSymbolTable) {
    Symbolizer symbolizer({fixtureModule(std::string(SYMBOLIZE_FIXTURE) + "-nodebug")});
    const std::vector<Frame>& frames = symbolizer.symbolize(m_run.addresses["inlined"]);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].function, "fixture::outerWork()");
    EXPECT_FALSE(frames[0].file.has_value());
    EXPECT_FALSE(frames[0].line.has_value());
}

TEST_F(SymbolizerTest, StacksDropRecorderFramesAndKeepUnreadableModules) {
    Model model;
    model.modules = {fixtureModule(SYMBOLIZE_FIXTURE),
                     fakeModule(2, "/opt/heapscope/lib/libheapscope.so", 0x10000000),
                     fakeModule(3, "/nonexistent/libgone.so", 0x20000000)};
    // outermost: plainCaller's call, then the inlined call, then a gone library, then the
    // recorder's own frame (innermost)
    model.stacks = {{StackId{0}, 0},
                    {StackId{0}, m_run.addresses["plain"]},
                    {StackId{1}, m_run.addresses["inlined"]},
                    {StackId{2}, 0x20000010},
                    {StackId{3}, 0x10000010}};
    Symbolizer symbolizer(model.modules);
    const std::vector<Frame> stack = symbolizer.symbolizeStack(model, StackId{4});
    ASSERT_EQ(stack.size(), 4u);
    EXPECT_EQ(stack[0].module, std::optional<std::string>("/nonexistent/libgone.so"));
    EXPECT_EQ(stack[0].address, 0x20000010u);
    EXPECT_FALSE(stack[0].function.has_value());
    EXPECT_EQ(stack[1].function, "fixture::innerStep()");
    EXPECT_EQ(stack[2].function, "fixture::outerWork()");
    EXPECT_EQ(stack[3].function, "fixture::plainCaller()");
}

TEST(Symbolizer, LaterModuleWinsOverlappingAddresses) {
    Symbolizer symbolizer({fakeModule(1, "/nonexistent/liba.so", 0x30000000),
                           fakeModule(2, "/nonexistent/libb.so", 0x30001000)});
    EXPECT_EQ(symbolizer.symbolize(0x30001800)[0].module,
              std::optional<std::string>("/nonexistent/libb.so"));
    EXPECT_EQ(symbolizer.symbolize(0x30002ff0)[0].module,
              std::optional<std::string>("/nonexistent/libb.so"));
    EXPECT_FALSE(symbolizer.symbolize(0x30000800)[0].module.has_value());
    EXPECT_FALSE(symbolizer.symbolize(0x40000000)[0].module.has_value());
}

} // namespace
} // namespace heapscope::analysis::test
