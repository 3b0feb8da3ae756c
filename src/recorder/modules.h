// recorder: the module map (executable, shared libraries, vdso) for offline symbolization:
// path, load bias, executable segments and GNU build-id, written when a module appears and an
// unload record when it goes. Runs on the writer thread (may allocate).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/records.h"
#include "format/writer.h"

namespace heapscope::recorder {

class ModuleMap {
public:
    // Cheap test (the loader's add/remove counters) for whether refresh() has work to do.
    bool changed() const;
    // Re-reads the loaded modules and writes a ModuleRecord for each new one and a
    // ModuleUnloadRecord for each one gone.
    void refresh(std::uint64_t timeNs, format::TraceWriter& writer);
    // Forgets every module, so the next refresh writes them all again (a forked child's trace).
    void reset();

    // The executable address range of the module containing address (the recorder itself).
    static bool executableRange(const void* address, std::uintptr_t& start, std::uintptr_t& end);

private:
    struct Known {
        ModuleId id;
        std::uint64_t bias;
        std::string path;
        bool seen;
    };
    std::vector<Known> m_known;
    std::uint32_t m_nextId = 0;
    unsigned long long m_adds = 0;
    unsigned long long m_subs = 0;
};

} // namespace heapscope::recorder
