// recorder: whether an address can be a heap block, from the loaded modules and /proc/self/maps.
#include "recorder/foreign_address.h"

#include <link.h>

#include <cstring>

#include "recorder/proc_lines.h"

namespace heapscope::recorder {
namespace {

struct Mapping {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    const char* path = ""; // what follows the inode column: a file, "[heap]", "[stack]" or empty
};

// "start-end perms offset dev inode   path"
Mapping parseLine(const char* line) noexcept {
    Mapping m;
    const char* p = line;
    m.start = parseHex(p);
    if (*p == '-') ++p;
    m.end = parseHex(p);
    for (int column = 0; column < 4 && *p != '\0'; ++column) {
        while (*p == ' ')
            ++p;
        while (*p != ' ' && *p != '\0')
            ++p;
    }
    while (*p == ' ')
        ++p;
    m.path = p;
    return m;
}

// Calls visit(mapping) for each line until it returns true. False if the file cannot be read.
template <typename Visit>
bool forEachMapping(Visit&& visit) noexcept {
    return forEachProcLine("/proc/self/maps",
                           [&](const char* line) { return visit(parseLine(line)); });
}

bool isFileOrStack(const char* path) noexcept {
    // memfd and System V shared memory show as paths but may back a custom allocator's heap.
    if (path[0] == '/')
        return std::strncmp(path, "/memfd:", 7) != 0 && std::strncmp(path, "/SYSV", 5) != 0;
    return std::strcmp(path, "[stack]") == 0 || std::strcmp(path, "[vdso]") == 0 ||
           std::strcmp(path, "[vvar]") == 0;
}

// A loaded module's segments, its .bss included (which /proc/self/maps shows as anonymous
// memory past the file-backed pages).
bool inLoadedModule(std::uint64_t address) noexcept {
    auto visit = [](dl_phdr_info* info, std::size_t, void* data) -> int {
        const std::uint64_t a = *static_cast<std::uint64_t*>(data);
        for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
            const ElfW(Phdr)& ph = info->dlpi_phdr[i];
            if (ph.p_type != PT_LOAD) continue;
            const std::uint64_t start = info->dlpi_addr + ph.p_vaddr;
            if (a >= start && a - start < ph.p_memsz) return 1;
        }
        return 0;
    };
    return dl_iterate_phdr(visit, &address) != 0;
}

} // namespace

bool certainlyNotHeap(std::uint64_t address, std::uint64_t ownStack) noexcept {
    if (inLoadedModule(address)) return true;
    bool mapped = false;
    bool notHeap = false;
    const bool read = forEachMapping([&](const Mapping& m) {
        if (address < m.start || address >= m.end) return false;
        mapped = true;
        notHeap = isFileOrStack(m.path) || (ownStack >= m.start && ownStack < m.end);
        return true;
    });
    // An unmapped address is no block either; an unreadable file proves nothing.
    return read && (!mapped || notHeap);
}

} // namespace heapscope::recorder
