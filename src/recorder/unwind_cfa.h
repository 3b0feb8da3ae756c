// recorder: the x86-64 frame rule of one code address, derived from its module's .eh_frame
// (FDE found by libgcc, call frame instructions run here). Used by the fast unwinder.
#pragma once

#include <cstdint>

namespace heapscope::recorder {

enum class FrameRuleKind : std::uint8_t {
    Empty,     // a free cache slot: never returned by deriveFrameRule
    Walk,      // CFA = base + cfaOffset, return address at CFA - 8
    Outermost, // the return address is undefined: the last frame of the stack
    Fallback,  // anything else (expression, signal frame, no FDE, ...): the full unwinder decides
};

enum class CfaBase : std::uint8_t { Rsp, Rbp };

// 8 bytes, so that a cache slot (return address + rule) is 16.
struct FrameRule {
    std::int32_t cfaOffset = 0;
    std::int16_t rbpOffset =
        0; // where the caller's rbp was saved, relative to the CFA; 0: not saved
    CfaBase base = CfaBase::Rsp;
    FrameRuleKind kind = FrameRuleKind::Fallback;
};
static_assert(sizeof(FrameRule) == 8);

// The rule in effect at pc (a return address minus 1, so that it lies inside the call).
// Allocates nothing and takes no lock.
FrameRule deriveFrameRule(std::uintptr_t pc) noexcept;

} // namespace heapscope::recorder
