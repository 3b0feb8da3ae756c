// tests (analysis): the symbolizer on a real binary built with -g -O2 (functions, files, lines,
// an inlined frame, checked against binutils addr2line too), its ELF-symbol fallback, code outside
// every compile unit, unreadable and replaced modules, the recorder's own frames being dropped,
// and the parallel prefetch giving the serial frames.
#include <gtest/gtest.h>

#include <algorithm>
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
        ASSERT_EQ(m_run.addresses.count("start"), 1u);
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

// What binutils addr2line -f -i -C says about a return address of the fixture: function and
// "file:line" per frame, innermost first.
std::vector<std::pair<std::string, std::string>> addr2line(const char* file,
                                                           std::uint64_t pcInFile) {
    std::vector<std::pair<std::string, std::string>> frames;
    char command[512];
    std::snprintf(command, sizeof command, "addr2line -f -i -C -e %s %#llx", file,
                  static_cast<unsigned long long>(pcInFile));
    std::FILE* pipe = popen(command, "r");
    if (pipe == nullptr) return frames;
    char function[512], location[512];
    while (std::fgets(function, sizeof function, pipe) != nullptr &&
           std::fgets(location, sizeof location, pipe) != nullptr) {
        std::string f(function), l(location);
        f.pop_back();
        l.erase(l.find_first_of(" \n")); // drops " (discriminator N)" and the newline
        frames.emplace_back(f, l);
    }
    pclose(pipe);
    return frames;
}

TEST_F(SymbolizerTest, AgreesWithAddr2line) {
    Symbolizer symbolizer({fixtureModule(SYMBOLIZE_FIXTURE)});
    for (const char* key : {"inlined", "plain"}) {
        const std::uint64_t address = m_run.addresses[key];
        const auto oracle = addr2line(SYMBOLIZE_FIXTURE, address - 1 - m_run.bias);
        const std::vector<Frame>& frames = symbolizer.symbolize(address);
        ASSERT_EQ(frames.size(), oracle.size()) << key;
        for (std::size_t i = 0; i < frames.size(); ++i) {
            // addr2line prints DWARF's unqualified name; ours is the qualified one.
            EXPECT_NE(frames[i].function.value_or("").find(oracle[i].first), std::string::npos)
                << key << " frame " << i << ": " << oracle[i].first;
            EXPECT_EQ(frames[i].file.value_or("?") + ":" +
                          std::to_string(frames[i].line.value_or(0)),
                      oracle[i].second)
                << key << " frame " << i;
        }
    }
}

TEST_F(SymbolizerTest, CodeOutsideEveryCompileUnitHasNoLine) {
    // crt1's _start has no DWARF; libdwfl's aranges lookup used to hand it the neighbouring CU
    // and a line of some header of the program.
    Symbolizer symbolizer({fixtureModule(SYMBOLIZE_FIXTURE)});
    const std::vector<Frame>& frames = symbolizer.symbolize(m_run.addresses["start"]);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].function, "_start");
    EXPECT_FALSE(frames[0].file.has_value()) << *frames[0].file;
    EXPECT_FALSE(frames[0].line.has_value());
    const auto oracle = addr2line(SYMBOLIZE_FIXTURE, m_run.addresses["start"] - 1 - m_run.bias);
    ASSERT_EQ(oracle.size(), 1u);
    EXPECT_EQ(oracle[0].second.substr(0, 3), "??:");
}

// The demo's CU ends in a line row that shares its address with the end of its sequence; the
// aranges lookup gave _start (just after it, without DWARF) that row, hashtable.h:2084.
TEST(Symbolizer, StartOfTheDemoHasNoLine) {
    std::uint64_t start = 0;
    std::FILE* pipe = popen("nm -P " TRADING_DEMO, "r");
    ASSERT_NE(pipe, nullptr);
    char line[512];
    unsigned long long value = 0;
    while (std::fgets(line, sizeof line, pipe) != nullptr)
        if (std::sscanf(line, "_start T %llx", &value) == 1) start = value;
    pclose(pipe);
    ASSERT_NE(start, 0u);
    // Loaded at its link addresses (bias 0), the whole file mapped.
    Symbolizer symbolizer({ModuleInfo{ModuleId{1}, TRADING_DEMO, "", 0, {}, 0, std::nullopt}});
    const std::vector<Frame>& frames = symbolizer.symbolize(start + 1);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].function, "_start");
    EXPECT_FALSE(frames[0].file.has_value())
        << *frames[0].file << ":" << frames[0].line.value_or(0);
    EXPECT_FALSE(frames[0].line.has_value());
}

void expectSameFrames(const std::vector<Frame>& a, const std::vector<Frame>& b,
                      std::uint64_t address) {
    ASSERT_EQ(a.size(), b.size()) << std::hex << address;
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].address, b[i].address);
        EXPECT_EQ(a[i].function, b[i].function) << std::hex << address;
        EXPECT_EQ(a[i].file, b[i].file) << std::hex << address;
        EXPECT_EQ(a[i].line, b[i].line) << std::hex << address;
        EXPECT_EQ(a[i].module, b[i].module);
        EXPECT_EQ(a[i].inlined, b[i].inlined);
    }
}

TEST_F(SymbolizerTest, ParallelPrefetchGivesTheSerialFrames) {
    // Every byte of the fixture's code (inline frames, DWARF lines) and a sweep of this test
    // program's own code and libraries: the modules of a real process, from its /proc maps.
    std::vector<ModuleInfo> modules{fixtureModule(SYMBOLIZE_FIXTURE)};
    std::vector<std::uint64_t> addresses;
    for (const format::Segment& seg : m_run.segments)
        for (std::uint64_t a = seg.start; a < seg.start + seg.size; ++a)
            addresses.push_back(a);
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        std::istringstream in(line);
        std::uint64_t start = 0, end = 0, offset = 0;
        std::string perms, dev, inode, path;
        char dash = 0;
        in >> std::hex >> start >> dash >> end >> perms >> offset >> dev >> inode >> path;
        if (perms.find('x') == std::string::npos || path.empty() || path[0] != '/') continue;
        modules.push_back(ModuleInfo{ModuleId{static_cast<std::uint32_t>(modules.size() + 1)},
                                     path,
                                     "",
                                     start - offset,
                                     {{start, end - start}},
                                     0,
                                     std::nullopt});
        // Some thousand addresses per module keep the serial reference run short.
        const std::uint64_t stride = std::max<std::uint64_t>(97, (end - start) / 2000) | 1;
        for (std::uint64_t a = start; a < end; a += stride)
            addresses.push_back(a);
    }
    ASSERT_GT(modules.size(), 3u);

    Symbolizer serial(modules);
    Symbolizer parallel(modules);
    parallel.prefetch(addresses, 2);
    for (const std::uint64_t address : addresses)
        expectSameFrames(serial.symbolize(address), parallel.symbolize(address), address);
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
