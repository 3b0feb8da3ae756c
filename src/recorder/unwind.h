// recorder: the unwinder interface. One backend is compiled in (unwind_<backend>.cpp); the
// choice is made by measurement (bench/unwind).
#pragma once

#include <cstddef>
#include <cstdint>

namespace heapscope::recorder {

// Frames an unwind may spend inside the recorder itself (hook, tracker, unwinder) on top of
// the requested depth; they are cut before the stack is interned.
inline constexpr std::size_t kUnwindSlack = 8;

struct StackView {
    const std::uintptr_t* frames = nullptr; // return addresses, innermost (caller of malloc) first
    std::size_t depth = 0;
};

// Called once at start-up: [selfStart, selfEnd) is the recorder library's executable range,
// whose frames are cut off every stack.
void unwindInit(std::uintptr_t selfStart, std::uintptr_t selfEnd) noexcept;

// Unwinds the calling thread into scratch (room for maxDepth + kUnwindSlack entries) and
// returns at most maxDepth frames of the program, without the recorder's own frames.
// entryFrame: the frame record (__builtin_frame_address(0)) of the hook the program called, where
// the walk may start; null to start here.
StackView unwindStack(std::uintptr_t* scratch, std::size_t maxDepth,
                      const void* entryFrame = nullptr) noexcept;

// Called after a module is unloaded: unwind information cached about it is dropped.
void unwindModulesChanged() noexcept;

// The frames of scratch[0, total) after the leading ones in [selfStart, selfEnd), at most maxDepth.
inline StackView programFrames(const std::uintptr_t* scratch, std::size_t total,
                               std::size_t maxDepth, std::uintptr_t selfStart,
                               std::uintptr_t selfEnd) noexcept {
    std::size_t first = 0;
    while (first < total && scratch[first] >= selfStart && scratch[first] < selfEnd)
        ++first;
    const std::size_t depth = total - first;
    return StackView{scratch + first, depth < maxDepth ? depth : maxDepth};
}

} // namespace heapscope::recorder
