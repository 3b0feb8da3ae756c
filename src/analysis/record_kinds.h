// analysis: what the index builder and the window replay need to know of each record kind:
// its time stamp, and whether later records depend on it (stack nodes, modules, threads).
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "format/records.h"

namespace heapscope::analysis {

// The time stamp of a record, if its kind has one.
inline std::optional<std::uint64_t> recordTime(const format::Record& record) {
    return std::visit(
        [](const auto& r) -> std::optional<std::uint64_t> {
            if constexpr (requires { r.timeNs; })
                return r.timeNs;
            else
                return std::nullopt;
        },
        record);
}

// Records that give meaning to later ones: a reader starting mid-trace must have seen them all.
inline bool isStructural(const format::Record& record) {
    return std::holds_alternative<format::StackNodeRecord>(record) ||
           std::holds_alternative<format::ModuleRecord>(record) ||
           std::holds_alternative<format::ModuleUnloadRecord>(record) ||
           std::holds_alternative<format::ThreadRecord>(record) ||
           std::holds_alternative<format::ThreadEndRecord>(record);
}

} // namespace heapscope::analysis
