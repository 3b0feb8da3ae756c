// tests (analysis): the sorted ELF symbol table names every address exactly as libdwfl's
// dwfl_module_addrinfo() does (the oracle), on the fixture (local and global symbols) and on
// the system's libc and libstdc++ (dynamic symbols, weak aliases, assembly functions).
#include <gtest/gtest.h>

#include <elfutils/libdwfl.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "analysis/symbol_table.h"

namespace heapscope::analysis::test {
namespace {

class OfflineModule {
public:
    explicit OfflineModule(const std::string& path) {
        m_callbacks.find_elf = dwfl_build_id_find_elf;
        m_callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
        m_callbacks.section_address = dwfl_offline_section_address;
        m_callbacks.debuginfo_path = &m_debuginfoPath;
        m_dwfl = dwfl_begin(&m_callbacks);
        dwfl_report_begin(m_dwfl);
        // A load address as in a real process, so symbol values carry a bias.
        m_module = dwfl_report_elf(m_dwfl, path.c_str(), path.c_str(), -1, 0x7f0000000000, false);
        dwfl_report_end(m_dwfl, nullptr, nullptr);
    }
    ~OfflineModule() { dwfl_end(m_dwfl); }
    OfflineModule(const OfflineModule&) = delete;
    OfflineModule& operator=(const OfflineModule&) = delete;

    Dwfl_Module* module() const { return m_module; }

private:
    char* m_debuginfoPath = nullptr;
    Dwfl_Callbacks m_callbacks{};
    Dwfl* m_dwfl = nullptr;
    Dwfl_Module* m_module = nullptr;
};

// Compares the table with libdwfl over the module's whole address range, at most about
// kProbes addresses. Returns how many addresses the table answered itself (a name or none).
std::size_t expectSameAsLibdwfl(const std::string& path) {
    constexpr std::uint64_t kProbes = 10000;
    OfflineModule offline(path);
    EXPECT_NE(offline.module(), nullptr) << path;
    if (offline.module() == nullptr) return 0;
    const SymbolTable table(offline.module());
    Dwarf_Addr low = 0, high = 0;
    dwfl_module_info(offline.module(), nullptr, &low, &high, nullptr, nullptr, nullptr, nullptr);
    // An odd stride so the probes fall at every offset within instructions and functions.
    const std::uint64_t stride = std::max<std::uint64_t>(1, (high - low) / kProbes) | 1;
    std::size_t named = 0;
    for (Dwarf_Addr address = low; address < high; address += stride) {
        const std::optional<const char*> fast = table.find(address);
        if (!fast) continue; // left to libdwfl by design
        ++named;
        GElf_Off offset = 0;
        GElf_Sym sym;
        const char* oracle = dwfl_module_addrinfo(offline.module(), address, &offset, &sym, nullptr,
                                                  nullptr, nullptr);
        const bool same = *fast == nullptr ? oracle == nullptr
                                           : oracle != nullptr && std::strcmp(*fast, oracle) == 0;
        if (!same) {
            ADD_FAILURE() << path << " at " << std::hex << address << ": "
                          << (*fast != nullptr ? *fast : "(none)") << " but libdwfl "
                          << (oracle != nullptr ? oracle : "(none)");
            return named;
        }
    }
    return named;
}

TEST(SymbolTable, NamesLikeLibdwflOnTheFixture) {
    // Its text is small: every address is probed.
    EXPECT_GT(expectSameAsLibdwfl(SYMBOLIZE_FIXTURE), 100u);
}

TEST(SymbolTable, NamesLikeLibdwflOnSystemLibraries) {
    for (const char* path :
         {"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"}) {
        if (!std::filesystem::exists(path)) continue;
        EXPECT_GT(expectSameAsLibdwfl(path), 1000u) << path;
    }
}

} // namespace
} // namespace heapscope::analysis::test
