// analysis (symbolization): the sorted per-module ELF symbol table. It gives exactly the name
// libdwfl's dwfl_module_addrinfo() gives, with the same preferences, in O(log n) per address.
#include "analysis/symbol_table.h"

#include <elfutils/libdwfl.h>

#include <algorithm>

namespace heapscope::analysis {
namespace {

// libdwfl's preference between symbol bindings (higher wins).
int bindingValue(unsigned char info) {
    switch (GELF_ST_BIND(info)) {
    case STB_GLOBAL:
        return 3;
    case STB_WEAK:
        return 2;
    case STB_LOCAL:
        return 1;
    default:
        return 0;
    }
}

} // namespace

SymbolTable::SymbolTable(Dwfl_Module* module) {
    const int count = dwfl_module_getsymtab(module);
    const int firstGlobal = dwfl_module_getsymtab_first_global(module);
    if (count <= 0 || firstGlobal < 0) return;
    // Index 0 is the null symbol; with only a .dynsym read from the program headers
    // firstGlobal is 0 and libdwfl treats every symbol as global.
    for (int i = 1; i < count; ++i) {
        GElf_Sym sym;
        GElf_Addr value = 0;
        const char* name =
            dwfl_module_getsym_info(module, i, &sym, &value, nullptr, nullptr, nullptr);
        const int type = GELF_ST_TYPE(sym.st_info);
        // The symbols libdwfl's scan considers at all.
        if (name == nullptr || name[0] == '\0' || sym.st_shndx == SHN_UNDEF ||
            type == STT_SECTION || type == STT_FILE || type == STT_TLS)
            continue;
        const bool global = i >= firstGlobal;
        if (sym.st_size == 0) {
            m_sizelessStarts.push_back(value);
            if (global) m_sizelessGlobalStarts.push_back(value);
            continue;
        }
        m_symbols.push_back(
            Symbol{value, value + sym.st_size, 0, name, i, bindingValue(sym.st_info), global});
    }
    std::sort(m_symbols.begin(), m_symbols.end(), [](const Symbol& a, const Symbol& b) {
        return a.start != b.start ? a.start < b.start : a.index < b.index;
    });
    std::uint64_t maxEnd = 0;
    for (Symbol& s : m_symbols)
        s.maxEnd = maxEnd = std::max(maxEnd, s.end);
    std::sort(m_sizelessStarts.begin(), m_sizelessStarts.end());
    std::sort(m_sizelessGlobalStarts.begin(), m_sizelessGlobalStarts.end());
}

std::optional<const char*> SymbolTable::find(std::uint64_t address) const {
    // Every sized symbol holding the address: those starting at or below it whose end lies
    // above it. maxEnd bounds the walk: below a symbol whose maxEnd <= address none can hold it.
    std::vector<const Symbol*> holders;
    auto it = std::upper_bound(m_symbols.begin(), m_symbols.end(), address,
                               [](std::uint64_t a, const Symbol& s) { return a < s.start; });
    // The end of the sized symbols starting at or below the address reaching furthest up.
    const std::uint64_t sizedEnd = it == m_symbols.begin() ? 0 : std::prev(it)->maxEnd;
    while (it != m_symbols.begin()) {
        --it;
        if (it->maxEnd <= address) break;
        if (it->end > address) holders.push_back(&*it);
    }
    std::sort(holders.begin(), holders.end(),
              [](const Symbol* a, const Symbol* b) { return a->index < b->index; });

    // libdwfl scans the global symbols, then (if none held the address) the local ones, in
    // symbol-table order, and replaces its choice by a later symbol that starts closer to the
    // address, has a stronger binding, or starts at the same place but is smaller.
    const auto choose = [&holders](bool global) -> const Symbol* {
        const Symbol* best = nullptr;
        for (const Symbol* s : holders) {
            if (s->global != global) continue;
            if (best == nullptr || best->start < s->start || best->binding < s->binding) {
                best = s;
            } else if (best->start == s->start && ((best->end - best->start > s->end - s->start &&
                                                    best->binding <= s->binding) ||
                                                   (best->end - best->start >= s->end - s->start &&
                                                    best->binding < s->binding))) {
                best = s;
            }
        }
        return best;
    };
    if (const Symbol* s = choose(true)) return s->name;
    // A sizeless global symbol starting exactly at the address stops libdwfl before the locals.
    if (std::binary_search(m_sizelessGlobalStarts.begin(), m_sizelessGlobalStarts.end(), address))
        return std::nullopt;
    if (const Symbol* s = choose(false)) return s->name;
    // No sized symbol holds the address. libdwfl then takes a sizeless symbol at or below it only
    // if no symbol at or below it, sized or sizeless, reaches above that symbol's start: the
    // highest sizeless start must lie at or above every sized end. Otherwise there is no name.
    auto sizeless = std::upper_bound(m_sizelessStarts.begin(), m_sizelessStarts.end(), address);
    if (sizeless == m_sizelessStarts.begin() || *std::prev(sizeless) < sizedEnd)
        return static_cast<const char*>(nullptr);
    return std::nullopt;
}

} // namespace heapscope::analysis
