// Tests of the reports: a hand-built Model whose figures are known by construction.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/model.h"
#include "analysis/symbolizer.h"

namespace heapscope::reports::test {

inline analysis::SiteStats site(std::uint32_t stack, std::uint64_t allocations, std::uint64_t bytes,
                                std::uint64_t peak, std::uint64_t leaked, std::uint64_t temporary) {
    analysis::SiteStats s;
    s.stack = StackId(stack);
    s.allocations = allocations;
    s.bytesAllocated = bytes;
    s.peakBytes = peak;
    s.leakedBytes = leaked;
    s.leakedBlocks = leaked == 0 ? 0 : 1;
    s.temporaryAllocations = temporary;
    return s;
}

// Every field different, so a report that prints one figure in another's place is caught.
inline analysis::Model sampleModel() {
    analysis::Model model;
    analysis::Summary& s = model.summary;
    s.program = "/usr/bin/order_server";
    s.pid = 4242;
    s.runtimeNs = 2'310'000'000;
    s.exitStatus = 3;
    s.truncated = false;
    s.sampleRate = 0;
    s.threads = 4;
    s.allocations = 1'234'567;
    s.frees = 1'200'000;
    s.bytesAllocated = 851'863'142; // 812.4 MiB
    s.peakHeapBytes = 47'395'635;   // 45.2 MiB
    s.peakHeapTimeNs = 1'500'000'000;
    s.peakRssBytes = 71'198'310; // 67.9 MiB
    s.temporaryAllocations = 123'456;
    s.leakedBytes = 24'536'678; // 23.4 MiB
    s.leakedBlocks = 34'567;
    s.leaks.definitelyLost = {1000, 10};
    s.leaks.indirectlyLost = {2000, 20};
    s.leaks.possiblyLost = {3000, 30};
    s.leaks.stillReachable = {24'530'000, 34'500}; // the five kinds add up to leaked
    s.leaks.suppressed = {678, 7};
    s.errors.doubleFree = 1;
    s.errors.invalidFree = 2;
    s.errors.mismatchedFree = 5;
    return model;
}

// Three frames for every stack: one fully known, one inlined into the next, one unknown.
inline std::vector<analysis::Frame> sampleFrames(StackId stack) {
    analysis::Frame known;
    known.address = 0x4011d6 + stack.value;
    known.function = "make_order(int)";
    known.file = "/src/app.cpp";
    known.line = 45;
    known.module = "/usr/bin/app";
    analysis::Frame inlined = known;
    inlined.address = 0x401234;
    inlined.function = "fill(Order&)";
    inlined.line = 12;
    inlined.inlined = true;
    analysis::Frame unknown;
    unknown.address = 0x7f0000001000;
    return {known, inlined, unknown};
}

} // namespace heapscope::reports::test
