// analysis: symbol demangling through libiberty (C++ Itanium ABI, Rust legacy and v0).
#include <cstdlib>
#include <memory>

#include <demangle.h>

#include "analysis/symbolizer.h"

namespace heapscope::analysis {

std::string demangle(const std::string& symbol) {
    // DMGL_AUTO lets libiberty try Rust first (legacy `_ZN…17h<hash>E` and v0 `_R…`, which the
    // C++ demangler would otherwise print with the hash), then the Itanium C++ ABI.
    const std::unique_ptr<char, decltype(&std::free)> out(
        cplus_demangle(symbol.c_str(), DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO), &std::free);
    return out ? std::string(out.get()) : symbol;
}

} // namespace heapscope::analysis
