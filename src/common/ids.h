// common: strongly typed integer ids, so a stack id is never passed where a module id belongs.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace heapscope {

template <typename Tag, typename Rep = std::uint32_t>
struct StrongId {
    using rep_type = Rep;
    Rep value = 0;

    constexpr StrongId() = default;
    constexpr explicit StrongId(Rep v) : value(v) {}
    constexpr auto operator<=>(const StrongId&) const = default;
};

// 0 is the empty stack (the trie's root); real stack nodes start at 1.
using StackId = StrongId<struct StackTag>;
using ModuleId = StrongId<struct ModuleTag>;
// A small per-trace index for a thread (not the OS tid); 0 is the first thread seen.
using ThreadIndex = StrongId<struct ThreadTag>;

} // namespace heapscope

template <typename Tag, typename Rep>
struct std::hash<heapscope::StrongId<Tag, Rep>> {
    std::size_t operator()(heapscope::StrongId<Tag, Rep> id) const noexcept {
        return std::hash<Rep>{}(id.value);
    }
};
