// recorder: rewriting a deep-bound object's PLT and GOT slots (see rebind.h), from the dynamic
// section the loader has already relocated.
#include "recorder/rebind.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>

#include "recorder/spinlock.h"

namespace heapscope::recorder {
#if defined(__x86_64__)
namespace {

// The object's relocation tables and symbols, from its dynamic section.
struct DynamicTables {
    const ElfW(Sym) * symbols = nullptr;
    const char* strings = nullptr;
    const ElfW(Rela) * plt = nullptr;
    std::size_t pltBytes = 0;
    const ElfW(Rela) * data = nullptr;
    std::size_t dataBytes = 0;
};

DynamicTables tablesOf(const link_map* map) {
    DynamicTables t;
    // glibc adds the load address to these entries when it loads the object; an object whose
    // dynamic section is read-only (the vDSO) keeps them relative.
    const auto address = [&](ElfW(Addr) value) {
        return value < map->l_addr ? value + map->l_addr : value;
    };
    for (const ElfW(Dyn)* d = map->l_ld; d != nullptr && d->d_tag != DT_NULL; ++d) {
        switch (d->d_tag) {
        case DT_SYMTAB:
            t.symbols = reinterpret_cast<const ElfW(Sym)*>(address(d->d_un.d_ptr));
            break;
        case DT_STRTAB:
            t.strings = reinterpret_cast<const char*>(address(d->d_un.d_ptr));
            break;
        case DT_JMPREL:
            t.plt = reinterpret_cast<const ElfW(Rela)*>(address(d->d_un.d_ptr));
            break;
        case DT_PLTRELSZ:
            t.pltBytes = d->d_un.d_val;
            break;
        case DT_RELA:
            t.data = reinterpret_cast<const ElfW(Rela)*>(address(d->d_un.d_ptr));
            break;
        case DT_RELASZ:
            t.dataBytes = d->d_un.d_val;
            break;
        default:
            break;
        }
    }
    return t;
}

// The object's address range, its RELRO range and its writable segment, from its program
// headers.
struct Extent {
    const link_map* map;
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    std::uintptr_t relroStart = 0;
    std::uintptr_t relroEnd = 0;
    std::uintptr_t writableStart = 0;
    std::uintptr_t writableEnd = 0;
};

int findExtent(dl_phdr_info* info, std::size_t, void* data) {
    auto* extent = static_cast<Extent*>(data);
    if (info->dlpi_addr != extent->map->l_addr) return 0;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_DYNAMIC ||
            info->dlpi_addr + ph.p_vaddr != reinterpret_cast<std::uintptr_t>(extent->map->l_ld))
            continue;
        for (int j = 0; j < info->dlpi_phnum; ++j) {
            const ElfW(Phdr)& seg = info->dlpi_phdr[j];
            const std::uintptr_t start = info->dlpi_addr + seg.p_vaddr;
            if (seg.p_type == PT_LOAD) {
                if (extent->start == 0 || start < extent->start) extent->start = start;
                if (start + seg.p_memsz > extent->end) extent->end = start + seg.p_memsz;
                if ((seg.p_flags & PF_W) != 0) {
                    extent->writableStart = start;
                    extent->writableEnd = start + seg.p_memsz;
                }
            } else if (seg.p_type == PT_GNU_RELRO) {
                extent->relroStart = start;
                extent->relroEnd = start + seg.p_memsz;
            }
        }
        return 1;
    }
    return 0;
}

// Writes value into the slot, through a writable mapping of its page when it is RELRO; a slot
// in neither RELRO nor the writable segment is left alone.
void writeSlot(std::uintptr_t slot, std::uintptr_t value, const Extent& extent) {
    const bool readOnly = slot >= extent.relroStart && slot < extent.relroEnd;
    if (!readOnly && (slot < extent.writableStart || slot + sizeof value > extent.writableEnd))
        return;
    const auto page = static_cast<std::uintptr_t>(::getpagesize());
    void* pageStart = reinterpret_cast<void*>(slot & ~(page - 1));
    if (readOnly && ::mprotect(pageStart, page, PROT_READ | PROT_WRITE) != 0) return;
    __atomic_store_n(reinterpret_cast<std::uintptr_t*>(slot), value, __ATOMIC_RELAXED);
    if (readOnly) ::mprotect(pageStart, page, PROT_READ);
}

// The recorder's definition of name, or 0 when it has none or the program's executable, which
// comes before it, defines name itself. A non-PIE executable that takes a function's address
// shows it as its own PLT stub: a symbol still undefined there, which the recorder's answers.
std::uintptr_t hookFor(const char* name) {
    static Dl_info selfInfo;
    static void* const self = dladdr(reinterpret_cast<void*>(&rebindToHooks), &selfInfo) != 0
                                  ? dlopen(selfInfo.dli_fname, RTLD_LAZY | RTLD_NOLOAD)
                                  : nullptr;
    if (self == nullptr) return 0;
    void* ours = dlsym(self, name);
    Dl_info info;
    if (ours == nullptr || dladdr(ours, &info) == 0 || info.dli_fbase != selfInfo.dli_fbase)
        return 0;
    void* first = dlsym(RTLD_DEFAULT, name);
    void* entry = nullptr;
    if (first != ours && (dladdr1(first, &info, &entry, RTLD_DL_SYMENT) == 0 || entry == nullptr ||
                          static_cast<const ElfW(Sym)*>(entry)->st_shndx != SHN_UNDEF))
        return 0;
    return reinterpret_cast<std::uintptr_t>(ours);
}

// deepScope: the handle dlopen returned, whose objects a deep-bound object binds to first.
void rebindTable(const ElfW(Rela) * relocations, std::size_t bytes, const DynamicTables& tables,
                 const Extent& extent, bool ownObject, void* deepScope) {
    if (relocations == nullptr) return;
    for (std::size_t i = 0; i < bytes / sizeof(ElfW(Rela)); ++i) {
        const ElfW(Rela)& r = relocations[i];
        const auto type = ELF64_R_TYPE(r.r_info);
        const auto symbol = ELF64_R_SYM(r.r_info);
        if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) || symbol == 0) continue;
        const char* name = tables.strings + tables.symbols[symbol].st_name;
        const std::uintptr_t hook = hookFor(name);
        if (hook == 0) continue;
        const std::uintptr_t slot = extent.map->l_addr + r.r_offset;
        const std::uintptr_t bound = *reinterpret_cast<const std::uintptr_t*>(slot);
        const auto next = reinterpret_cast<std::uintptr_t>(dlsym(RTLD_NEXT, name));
        // Bound past the recorder; or, lazily bound, still pointing into the object's own PLT
        // while the deep-bound lookup would find the same definition (not one of its own).
        const bool unbound = ownObject && bound >= extent.start && bound < extent.end &&
                             reinterpret_cast<std::uintptr_t>(dlsym(deepScope, name)) == next;
        if (bound == next || unbound) writeSlot(slot, hook, extent);
    }
}

} // namespace

void rebindToHooks(void* handle) noexcept {
    // One at a time: two opens sharing a dependency would toggle the same RELRO page.
    static Spinlock s_lock;
    std::lock_guard<Spinlock> hold(s_lock);
    link_map* map = nullptr;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) return;
    for (const link_map* m = map; m != nullptr; m = m->l_next) {
        Extent extent{m};
        if (dl_iterate_phdr(&findExtent, &extent) == 0) continue;
        const DynamicTables tables = tablesOf(m);
        if (tables.symbols == nullptr || tables.strings == nullptr) continue;
        rebindTable(tables.plt, tables.pltBytes, tables, extent, m == map, handle);
        rebindTable(tables.data, tables.dataBytes, tables, extent, m == map, handle);
    }
}
#else
void rebindToHooks(void*) noexcept {} // other architectures: not handled
#endif

} // namespace heapscope::recorder
