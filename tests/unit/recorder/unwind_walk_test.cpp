// Unit tests of the fast unwinder (unwind_walk, unwind_cfa, unwind_eh_frame): on call chains
// built here without frame pointers, it returns libunwind's frames, or hands over to libunwind.
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <alloca.h>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "recorder/unwind.h"
#include "recorder/unwind_cfa.h"
#include "recorder/unwind_walk.h"

namespace heapscope::recorder {
namespace {

constexpr std::size_t kMaxFrames = 256;

struct Frames {
    std::uintptr_t frames[kMaxFrames];
    int count = 0;
};

// What both unwinders saw from one point of a chain.
struct Probe {
    Frames fast;
    Frames reference;
    Frames backend;          // through unwindStack, the recorder's entry point
    std::uintptr_t site = 0; // the return address into the frame that called the probe
};

// The reference: libunwind's general unwinder, frame by frame. Not unw_backtrace, whose trace
// cache keeps a module's rules after dlclose even across unw_flush_cache (libunwind 1.6): it cuts
// the stack short in a library loaded where an unloaded one was.
__attribute__((noinline)) int viaLibunwind(std::uintptr_t* out, std::size_t max) {
    unw_context_t context;
    unw_cursor_t cursor;
    if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return -1;
    std::size_t count = 0;
    while (count < max && unw_step(&cursor) > 0) {
        unw_word_t ip = 0;
        unw_get_reg(&cursor, UNW_REG_IP, &ip);
        out[count++] = ip;
    }
    return static_cast<int>(count);
}

int viaBackend(std::uintptr_t* out, std::size_t max) {
    const StackView view = unwindStack(out, max - kUnwindSlack);
    std::memmove(out, view.frames, view.depth * sizeof(std::uintptr_t));
    return static_cast<int>(view.depth);
}

using Method = int (*)(std::uintptr_t*, std::size_t);

// One call site for every method: their frames from here outwards are the same addresses.
__attribute__((noinline)) void capture(Method method, Frames& into) {
    into.count = method(into.frames, kMaxFrames);
    asm volatile("" ::: "memory"); // not a tail call
}

__attribute__((noinline)) void probeHere(Probe& probe) {
    probe.site = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
    const Method methods[] = {&walkStack, &viaLibunwind, &viaBackend};
    Frames* const into[] = {&probe.fast, &probe.reference, &probe.backend};
    // A bound the compiler cannot see keeps the loop, and with it one call site for all three.
    volatile std::size_t count = 3;
    for (std::size_t i = 0; i < count; ++i)
        capture(methods[i], *into[i]);
}

void probeCallback(void* probe) { probeHere(*static_cast<Probe*>(probe)); }

// The frames as module+offset lines, for a failure message.
std::string describe(const Frames& frames) {
    std::string text;
    for (int i = 0; i < frames.count; ++i) {
        Dl_info info{};
        const bool known = dladdr(reinterpret_cast<void*>(frames.frames[i]), &info) != 0 &&
                           info.dli_fname != nullptr;
        text += std::to_string(i) + ": " + (known ? info.dli_fname : "?") + " " +
                (known && info.dli_sname != nullptr ? info.dli_sname : "") + "\n";
    }
    return text;
}

// The same stack from the probe's caller outwards (anchor: its return address). Before it each
// list has frames of its own (libunwind's, unwindStack's) and those of capture and probeHere,
// whose return addresses differ when the compiler gives each method its own call site (clang
// peels the first iteration of probeHere's loop).
void expectSameFrames(const Frames& test, const Frames& reference, std::uintptr_t anchor) {
    constexpr int kFramesBeforeAnchor = 6;
    const auto anchorIndex = [&](const Frames& frames) {
        for (int i = 0; i < kFramesBeforeAnchor && i < frames.count; ++i)
            if (frames.frames[i] == anchor) return i;
        return -1;
    };
    const int i = anchorIndex(test);
    const int j = anchorIndex(reference);
    ASSERT_GE(i, 0) << "the probe's caller is missing:\n" << describe(test);
    ASSERT_GE(j, 0) << "libunwind misses the probe's caller:\n" << describe(reference);
    ASSERT_EQ(test.count - i, reference.count - j) << "test:\n"
                                                   << describe(test) << "libunwind:\n"
                                                   << describe(reference);
    for (int k = 0; i + k < test.count; ++k)
        EXPECT_EQ(test.frames[i + k], reference.frames[j + k]) << "frame " << i + k;
}

void expectFastPathMatches(const Probe& probe) {
    ASSERT_GE(probe.fast.count, 0) << "the fast walk handed over to libunwind";
    expectSameFrames(probe.fast, probe.reference, probe.site);
    expectSameFrames(probe.backend, probe.reference, probe.site);
}

__attribute__((noinline)) void recurse(int depth, Probe& probe) {
    if (depth == 0)
        probeHere(probe);
    else
        recurse(depth - 1, probe);
    asm volatile("" ::: "memory");
}

// alloca makes the compiler address the frame through rbp: the CFA is rbp-based here.
__attribute__((noinline)) void allocaFrame(std::size_t bytes, Probe& probe) {
    auto* buffer = static_cast<volatile char*>(alloca(bytes));
    buffer[0] = 1;
    probeHere(probe);
    buffer[bytes - 1] = buffer[0];
}

// A variable length array (a GNU extension in C++), as C code has them: rbp-based too.
#pragma GCC diagnostic push
#ifdef __clang__
#pragma GCC diagnostic ignored "-Wvla-extension"
#else
#pragma GCC diagnostic ignored "-Wvla"
#endif
__attribute__((noinline)) void variableLengthFrame(int bytes, Probe& probe) {
    volatile char buffer[bytes];
    buffer[0] = 1;
    recurse(3, probe);
    buffer[bytes - 1] = buffer[0];
}
#pragma GCC diagnostic pop

class UnwindWalkTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { unwindInit(0, 0); }
};

TEST_F(UnwindWalkTest, FramesWithoutFramePointersMatchLibunwind) {
    Probe probe;
    recurse(0, probe);
    expectFastPathMatches(probe);
}

TEST_F(UnwindWalkTest, DeepRecursionMatchesLibunwindTwice) {
    // The second walk runs on cached rules only.
    for (int round = 0; round < 2; ++round) {
        Probe probe;
        recurse(60, probe);
        expectFastPathMatches(probe);
        EXPECT_GT(probe.fast.count, 60);
    }
}

// Two callers of recurse, one with a larger frame: a walk from one meets the previous walk's
// trail from the other at shifted places, and parts from it at the caller.
__attribute__((noinline)) void viaSmallFrame(int depth, Probe& probe) {
    recurse(depth, probe);
    asm volatile("" ::: "memory");
}

__attribute__((noinline)) void viaLargeFrame(int depth, Probe& probe) {
    volatile char buffer[300];
    buffer[0] = 1;
    recurse(depth, probe);
    buffer[299] = buffer[0];
}

TEST_F(UnwindWalkTest, WalksFollowingTheTrailOfDifferentStacksMatchLibunwind) {
    // Each probe walks twice (walkStack, then unwindStack): the second follows the first's trail.
    const int depths[] = {3, 3, 7, 2, 2, 9};
    for (int round = 0; round < 12; ++round) {
        SCOPED_TRACE(round);
        Probe probe;
        const int depth = depths[static_cast<std::size_t>(round) % std::size(depths)];
        if (round % 2 == 0)
            viaSmallFrame(depth, probe);
        else
            viaLargeFrame(depth, probe);
        expectFastPathMatches(probe);
    }
}

// A frame of Bytes bytes of its own around a call.
template <int Bytes, typename Next>
__attribute__((noinline)) void framed(Next next, int depth, Probe& probe) {
    volatile char buffer[Bytes];
    buffer[0] = 1;
    next(depth, probe);
    buffer[Bytes - 1] = buffer[0];
}

void smallThenRecurse(int depth, Probe& probe) { framed<64>(&recurse, depth, probe); }
void largeThenRecurse(int depth, Probe& probe) { framed<256>(&recurse, depth, probe); }

// Small-then-large and large-then-small frames put recurse's frames at the same places, with
// different return addresses and rules in the middle: a walk that followed the previous one
// through recurse must leave its trail there.
TEST_F(UnwindWalkTest, WalksPartingFromTheTrailMidStackMatchLibunwind) {
    for (int round = 0; round < 6; ++round) {
        SCOPED_TRACE(round);
        Probe probe;
        if (round % 2 == 0)
            framed<256>(&smallThenRecurse, 4, probe);
        else
            framed<64>(&largeThenRecurse, 4, probe);
        expectFastPathMatches(probe);
    }
}

// Sizes the compiler cannot see, or it may turn the dynamic allocation into a fixed frame.
volatile std::size_t s_dynamicBytes = 1000;

TEST_F(UnwindWalkTest, AllocaFrameHasAnRbpBasedRule) {
    Probe probe;
    allocaFrame(s_dynamicBytes, probe);
    expectFastPathMatches(probe);
    const FrameRule rule = deriveFrameRule(probe.site - 1);
    EXPECT_EQ(rule.kind, FrameRuleKind::Walk);
    EXPECT_EQ(rule.base, CfaBase::Rbp);
}

TEST_F(UnwindWalkTest, VariableLengthArrayFrameMatchesLibunwind) {
    Probe probe;
    variableLengthFrame(static_cast<int>(s_dynamicBytes / 3), probe);
    expectFastPathMatches(probe);
}

TEST_F(UnwindWalkTest, CodeWithoutUnwindInformationHasAFallbackRule) {
    EXPECT_EQ(deriveFrameRule(0x10).kind, FrameRuleKind::Fallback);
}

Probe* s_signalProbe = nullptr;

void onSignal(int) { recurse(2, *s_signalProbe); }

TEST_F(UnwindWalkTest, SignalFrameFallsBackToLibunwind) {
    Probe probe;
    s_signalProbe = &probe;
    struct sigaction action {};
    struct sigaction previous {};
    action.sa_handler = &onSignal;
    ASSERT_EQ(sigaction(SIGUSR1, &action, &previous), 0);
    ASSERT_EQ(raise(SIGUSR1), 0);
    ASSERT_EQ(sigaction(SIGUSR1, &previous, nullptr), 0);
    EXPECT_EQ(probe.fast.count, -1);
    // Through the backend: libunwind's frames, across the signal frame down to this test.
    expectSameFrames(probe.backend, probe.reference, probe.site);
    EXPECT_GT(probe.backend.count, 10);
}

TEST_F(UnwindWalkTest, SeveralThreadsMatchLibunwind) {
    constexpr int kThreads = 4;
    std::vector<Probe> probes(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back(
            [&probes, i] { recurse(5 + i * 7, probes[static_cast<std::size_t>(i)]); });
    for (std::thread& thread : threads)
        thread.join();
    for (const Probe& probe : probes)
        expectFastPathMatches(probe);
}

// What a hook does: walks from a function below it, starting at the hook's frame record.
struct EntryWalks {
    Frames fromEntry;              // walkStackFrom(the entry)
    Frames full;                   // walkStack, from the same function
    Frames reference;              // libunwind, from the same function
    std::uintptr_t hookReturn = 0; // the return address into the hook's caller
};

__attribute__((noinline)) void walkBelow(const void* entry, EntryWalks& walks) {
    walks.fromEntry.count = walkStackFrom(entry, walks.fromEntry.frames, kMaxFrames);
    walks.full.count = walkStack(walks.full.frames, kMaxFrames);
    walks.reference.count = viaLibunwind(walks.reference.frames, kMaxFrames);
    asm volatile("" ::: "memory");
}

__attribute__((noinline)) void hookLike(EntryWalks& walks) {
    walks.hookReturn = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
    walkBelow(__builtin_frame_address(0), walks);
    asm volatile("" ::: "memory"); // not a tail call
}

TEST_F(UnwindWalkTest, WalkFromAnEntryFrameStartsAtItsReturnAddress) {
    // Twice: the second walk follows the first's trail.
    for (int round = 0; round < 2; ++round) {
        EntryWalks walks;
        hookLike(walks);
        ASSERT_GT(walks.fromEntry.count, 0) << "the fast walk handed over to libunwind";
        EXPECT_EQ(walks.fromEntry.frames[0], walks.hookReturn);
        expectSameFrames(walks.fromEntry, walks.reference, walks.hookReturn);
        expectSameFrames(walks.full, walks.reference, walks.hookReturn);
    }
}

TEST_F(UnwindWalkTest, AnEntryFrameOutsideTheStackIsIgnored) {
    static std::uintptr_t s_notAFrame[2] = {0, 0};
    const auto below = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)) - 65536;
    // Below the walk's own frame, in static memory, or none: the walk starts at its own frame,
    // so its first address is the return address into walkBelow.
    const void* entries[] = {reinterpret_cast<const void*>(below), s_notAFrame, nullptr};
    for (const void* entry : entries) {
        SCOPED_TRACE(reinterpret_cast<std::uintptr_t>(entry));
        EntryWalks walks;
        walkBelow(entry, walks);
        ASSERT_GT(walks.fromEntry.count, 1);
        ASSERT_EQ(walks.fromEntry.count, walks.full.count);
        // Both start in walkBelow (at different call sites) and agree from its caller on.
        for (int i = 1; i < walks.full.count; ++i)
            EXPECT_EQ(walks.fromEntry.frames[i], walks.full.frames[i]) << "frame " << i;
    }
}

using ChainThrough = int (*)(int, void (*)(void*), void*);

// Loads a copy of the test library, unwinds through 4 of its frames, and reports where it was.
std::uintptr_t unwindThroughLibrary(const char* path, Probe& probe) {
    void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    EXPECT_NE(library, nullptr) << dlerror();
    if (library == nullptr) return 0;
    auto chain = reinterpret_cast<ChainThrough>(dlsym(library, "chainThrough"));
    EXPECT_NE(chain, nullptr);
    if (chain != nullptr) chain(3, &probeCallback, &probe);
    const auto address = reinterpret_cast<std::uintptr_t>(chain);
    EXPECT_EQ(dlclose(library), 0);
    unwindModulesChanged(); // what the dlclose hook does
    return address;
}

TEST_F(UnwindWalkTest, DlopenedLibraryUnloadedAndAnotherLoaded) {
    std::uintptr_t firstAddress = 0;
    {
        SCOPED_TRACE("first copy");
        Probe probe;
        firstAddress = unwindThroughLibrary(UNWIND_TEST_LIBRARY_A, probe);
        expectFastPathMatches(probe);
    }
    // The second copy has larger frames; where it lands on the first's addresses (the usual
    // case: the loader reuses the freed range), rules kept from the first would misplace every
    // CFA through it.
    SCOPED_TRACE("second copy");
    Probe probe;
    const std::uintptr_t secondAddress = unwindThroughLibrary(UNWIND_TEST_LIBRARY_B, probe);
    expectFastPathMatches(probe);
    if (firstAddress != secondAddress)
        GTEST_LOG_(INFO) << "the copies were loaded at different addresses: a weaker check";
}

} // namespace
} // namespace heapscope::recorder
