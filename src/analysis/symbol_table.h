// analysis (symbolization): one module's ELF symbols, sorted once, so that naming an address is a
// binary search instead of libdwfl's scan of the whole symbol table per address.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

struct Dwfl_Module;

namespace heapscope::analysis {

class SymbolTable {
public:
    // Reads the module's symbols (.symtab, or .dynsym, plus the .gnu_debugdata table); the names
    // stay owned by the module's Dwfl, which must outlive the table.
    explicit SymbolTable(Dwfl_Module* module);

    // What dwfl_module_addrinfo() gives for address (absolute, as mapped): a name, or null for
    // none. std::nullopt when only that scan can decide, because a sizeless symbol (an assembly
    // label) may name the address; such addresses are rare, and the caller asks libdwfl then.
    std::optional<const char*> find(std::uint64_t address) const;

private:
    struct Symbol {
        std::uint64_t start = 0;
        std::uint64_t end = 0;
        std::uint64_t maxEnd = 0; // the largest end of this and every earlier symbol
        const char* name = nullptr;
        int index = 0;   // libdwfl's symbol index: the tie-breaks follow its scan order
        int binding = 0; // higher is preferred, as in libdwfl
        bool global = false;
    };
    std::vector<Symbol> m_symbols;                     // sized symbols, sorted by start
    std::vector<std::uint64_t> m_sizelessStarts;       // sorted
    std::vector<std::uint64_t> m_sizelessGlobalStarts; // sorted
};

} // namespace heapscope::analysis
