// analysis: turns return addresses into frames with function, file, line and inline frames,
// using elfutils (DWARF, separate debug files by build-id and debuglink) and libiberty's
// demangler (C++, Rust legacy and v0). Results are cached per address.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/model.h"

namespace heapscope::analysis {

struct Frame {
    std::uint64_t address = 0; // the return address as recorded
    std::optional<std::string> function;
    std::optional<std::string> file;
    std::optional<std::uint32_t> line;
    std::optional<std::string> module;
    bool inlined = false; // true for a frame inlined into the next (outer) one
};

class Symbolizer {
public:
    explicit Symbolizer(const std::vector<ModuleInfo>& modules);
    ~Symbolizer();
    Symbolizer(const Symbolizer&) = delete;
    Symbolizer& operator=(const Symbolizer&) = delete;

    // Frames for one return address, innermost (most deeply inlined) first; at least one.
    const std::vector<Frame>& symbolize(std::uint64_t returnAddress);

    // Resolves the addresses not yet cached, split over threads, each with its own libdwfl
    // session; symbolize() then answers from the cache with the same frames the serial path
    // gives. threads 0: HEAPSCOPE_SYMBOLIZE_THREADS if set, else one per core (at most four)
    // when there are enough addresses to pay for a session that opens the modules again.
    void prefetch(std::vector<std::uint64_t> addresses, unsigned threads = 0);

    // The whole stack, innermost first, inline frames expanded.
    std::vector<Frame> symbolizeStack(const Model& model, StackId stack);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

std::string demangle(const std::string& symbol);

} // namespace heapscope::analysis
