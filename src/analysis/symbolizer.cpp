// analysis: symbolization with elfutils libdwfl: an offline Dwfl over all the trace's modules per
// thread, DWARF line tables and inline scopes (indexed per compile unit), functions named from a
// sorted ELF symbol table. Cached per address; prefetch() resolves a batch on several threads.
#include "analysis/symbolizer.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "analysis/symbol_table.h"

namespace heapscope::analysis {
namespace {

// The recorder's own frames never belong in a report; it cuts them, this is a second guard.
constexpr const char* kRecorderLibrary = "libheapscope.so";

bool isRecorderModule(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return path.compare(slash == std::string::npos ? 0 : slash + 1, std::string::npos,
                        kRecorderLibrary) == 0;
}

// An address range of one module, as the recorder saw it mapped.
struct MappedRange {
    std::uint64_t end = 0;
    std::size_t module = 0; // index into Impl::m_modules
};

// A compile unit's address range, in the module's DWARF addresses (before the bias).
struct CuRange {
    Dwarf_Addr low = 0;
    Dwarf_Addr high = 0;
    Dwarf_Addr maxHigh = 0; // the largest high of this and every earlier range
    std::size_t order = 0;  // the CU's place in .debug_info
    Dwarf_Die* cu = nullptr;
};

// The function scopes (subprograms, inlined subroutines, entry points, lexical blocks) a walk
// from a compile unit reaches through namespaces and classes only, and the member functions of
// classes local to a function (collectLocalClasses), with their address ranges.
// Walking the CU's DIEs for every address cost milliseconds each in C++ units that carry
// thousands of template functions; the index is built by one walk and answers by binary search.
struct CuScopes {
    struct Scope {
        Dwarf_Die die;
        unsigned depth = 0; // the walk's nesting depth at the scope, for the walk below it
    };
    struct Range {
        Dwarf_Addr low = 0;
        Dwarf_Addr high = 0;
        Dwarf_Addr maxHigh = 0;  // the largest high of this and every earlier range
        std::uint32_t scope = 0; // index into scopes, which are in the walk's (DIE) order
    };
    std::vector<Scope> scopes;
    std::vector<Range> ranges; // sorted by low
};

struct LoadedModule {
    std::string path;
    Dwfl_Module* dwfl = nullptr; // null when the file could not be opened or does not match
    // Built on the module's first address (see cuAt), sorted by low.
    std::vector<CuRange> cuRanges;
    bool cuRangesBuilt = false;
    std::unordered_map<Dwarf_Die*, CuScopes> cuScopes; // by CU, built on its first address
    std::optional<SymbolTable> symbols;                // built on the module's first address
};

// The compile unit whose ranges hold pc, or null. dwfl_module_addrdie() is not used: libdwfl
// treats .debug_aranges as covering the gaps up to the next range, so an address without DWARF
// (crt1's _start after the last CU) got a CU and a wrong line; and clang emits no aranges by
// default. The CUs' own ranges, indexed once per module, say exactly which CU holds pc.
// Several CUs may claim pc: the linker keeps one copy of a COMDAT function (a template or inline
// function every unit that uses it compiled) and points the DWARF of the dropped copies at the
// kept one (clang's DWARF 5 address table), whose code their inline scopes need not describe.
// The first such CU in .debug_info is the kept copy's own (link order), as addr2line and
// llvm-symbolizer take it; another would give its own unit's call sites for that code.
Dwarf_Die* cuAt(LoadedModule& module, Dwarf_Addr pc, Dwarf_Addr& bias) {
    if (!module.cuRangesBuilt) {
        module.cuRangesBuilt = true;
        Dwarf_Die* cu = nullptr;
        Dwarf_Addr cuBias = 0;
        for (std::size_t order = 0; (cu = dwfl_module_nextcu(module.dwfl, cu, &cuBias)) != nullptr;
             ++order) {
            Dwarf_Addr base = 0, low = 0, high = 0;
            for (ptrdiff_t offset = 0; (offset = dwarf_ranges(cu, offset, &base, &low, &high)) > 0;)
                if (low < high) module.cuRanges.push_back(CuRange{low, high, 0, order, cu});
        }
        std::sort(module.cuRanges.begin(), module.cuRanges.end(),
                  [](const CuRange& a, const CuRange& b) { return a.low < b.low; });
        Dwarf_Addr maxHigh = 0;
        for (CuRange& range : module.cuRanges)
            range.maxHigh = maxHigh = std::max(maxHigh, range.high);
    }
    if (module.cuRanges.empty()) return nullptr;
    Dwarf_Addr dwarfBias = 0;
    if (dwfl_module_getdwarf(module.dwfl, &dwarfBias) == nullptr) return nullptr;
    const Dwarf_Addr address = pc - dwarfBias;
    auto it = std::upper_bound(module.cuRanges.begin(), module.cuRanges.end(), address,
                               [](Dwarf_Addr a, const CuRange& r) { return a < r.low; });
    const CuRange* first = nullptr;
    while (it != module.cuRanges.begin()) {
        --it;
        if (it->maxHigh <= address) break;
        if (it->high > address && (first == nullptr || it->order < first->order)) first = &*it;
    }
    if (first == nullptr) return nullptr;
    bias = dwarfBias;
    return first->cu;
}

std::optional<std::string> attrString(Dwarf_Die* die, unsigned name) {
    Dwarf_Attribute attr;
    // _integrate follows DW_AT_abstract_origin and DW_AT_specification, where inlined instances
    // and out-of-class member definitions keep their names.
    if (dwarf_attr_integrate(die, name, &attr) == nullptr) return std::nullopt;
    const char* s = dwarf_formstring(&attr);
    return s != nullptr ? std::optional<std::string>(s) : std::nullopt;
}

std::optional<std::string> functionName(Dwarf_Die* die) {
    if (auto linkage = attrString(die, DW_AT_linkage_name)) return demangle(*linkage);
    if (auto linkage = attrString(die, DW_AT_MIPS_linkage_name)) return demangle(*linkage);
    return attrString(die, DW_AT_name);
}

// A source file named by the unit's line table, as a full path. A relative name is relative to
// the compilation directory: clang keeps a file given to it by a relative path (a generated
// source) so, and elfutils does not join the two.
std::string sourcePath(Dwarf_Die* cu, const char* file) {
    Dwarf_Attribute attr;
    const char* dir =
        file[0] == '/' ? nullptr : dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
    return dir != nullptr ? std::string(dir) + "/" + file : std::string(file);
}

// The call site of an inlined scope (DW_AT_call_file/DW_AT_call_line): a location in the
// function it was inlined into. Line 0 means no line (clang gives it to calls in static
// initializers), as in the line table, so the frame gets none rather than "file:0".
void callSite(Dwarf_Die* inlined, Frame& outer) {
    Dwarf_Attribute attr;
    Dwarf_Word value = 0;
    if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &value) == 0 && value > 0)
        outer.line = static_cast<std::uint32_t>(value);
    Dwarf_Die cu;
    Dwarf_Files* files = nullptr;
    std::size_t count = 0;
    if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &value) != 0 ||
        dwarf_diecu(inlined, &cu, nullptr, nullptr) == nullptr ||
        dwarf_getsrcfiles(&cu, &files, &count) != 0 || value >= count)
        return;
    if (const char* file = dwarf_filesrc(files, value, nullptr, nullptr))
        outer.file = sourcePath(&cu, file);
}

constexpr unsigned kMaxDepth = 64; // hostile or broken DWARF cannot recurse without end

bool isContainer(int tag) {
    return tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type;
}

bool isScope(int tag) {
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
           tag == DW_TAG_entry_point || tag == DW_TAG_lexical_block;
}

// Collects the function scopes (subprograms and inlined subroutines) containing pc under
// parent, outermost first: the first scope holding pc in DIE order, looking into namespaces and
// classes, then the same below it. dwarf_getscopes() would do this, but elfutils 0.188 fails on
// clang's DWARF 5 ("no address value") where dwarf_haspc() on each DIE works.
bool functionScopesAt(Dwarf_Die* parent, Dwarf_Addr pc, std::vector<Dwarf_Die>& chain,
                      unsigned depth) {
    Dwarf_Die child;
    if (depth > kMaxDepth || dwarf_child(parent, &child) != 0) return false;
    do {
        const int tag = dwarf_tag(&child);
        if (isContainer(tag) && functionScopesAt(&child, pc, chain, depth + 1)) return true;
        if (isScope(tag) && dwarf_haspc(&child, pc) == 1) {
            if (tag != DW_TAG_lexical_block) chain.push_back(child);
            functionScopesAt(&child, pc, chain, depth + 1);
            return true;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
}

void collectScopes(Dwarf_Die* parent, unsigned depth, CuScopes& out);

// The classes declared inside a function's scope (a lambda's closure type, a local struct), whose
// member functions are functions of their own: their code lies outside the enclosing function's
// ranges (a lambda's operator() in gcc's DWARF sits in the subprogram of the function that holds
// the lambda), so a walk that only enters scopes holding pc never reaches them. Inlined
// subroutines declare no types (those stay with the abstract instance), and their trees are most
// of a C++ unit's DIEs, so the search skips them, as it skips member function declarations.
bool mayDeclareLocalClasses(Dwarf_Die* die, int tag) {
    return tag == DW_TAG_lexical_block ||
           (tag == DW_TAG_subprogram && !dwarf_hasattr(die, DW_AT_declaration));
}

void collectLocalClasses(Dwarf_Die* scope, unsigned depth, CuScopes& out) {
    Dwarf_Die child;
    if (depth > kMaxDepth || dwarf_child(scope, &child) != 0) return;
    do {
        const int tag = dwarf_tag(&child);
        if (isContainer(tag)) collectScopes(&child, depth + 1, out);
        if (mayDeclareLocalClasses(&child, tag)) collectLocalClasses(&child, depth + 1, out);
    } while (dwarf_siblingof(&child, &child) == 0);
}

// The walk functionScopesAt() does from a compile unit, done once for every pc: each scope it
// would test, in the order it would test them, with the ranges dwarf_haspc() would test; and the
// member functions of local classes, after the scope that declares them in DIE order, where
// nothing else holds their code.
void collectScopes(Dwarf_Die* parent, unsigned depth, CuScopes& out) {
    Dwarf_Die child;
    if (depth > kMaxDepth || dwarf_child(parent, &child) != 0) return;
    do {
        const int tag = dwarf_tag(&child);
        if (isContainer(tag)) collectScopes(&child, depth + 1, out);
        if (!isScope(tag)) continue;
        const auto scope = static_cast<std::uint32_t>(out.scopes.size());
        out.scopes.push_back(CuScopes::Scope{child, depth});
        Dwarf_Addr base = 0, low = 0, high = 0;
        for (ptrdiff_t offset = 0; (offset = dwarf_ranges(&child, offset, &base, &low, &high)) > 0;)
            if (low < high) out.ranges.push_back(CuScopes::Range{low, high, 0, scope});
        if (mayDeclareLocalClasses(&child, tag)) collectLocalClasses(&child, depth + 1, out);
    } while (dwarf_siblingof(&child, &child) == 0);
}

CuScopes indexScopes(Dwarf_Die* cu) {
    CuScopes index;
    collectScopes(cu, 0, index);
    std::sort(index.ranges.begin(), index.ranges.end(),
              [](const CuScopes::Range& a, const CuScopes::Range& b) { return a.low < b.low; });
    Dwarf_Addr maxHigh = 0;
    for (CuScopes::Range& range : index.ranges)
        range.maxHigh = maxHigh = std::max(maxHigh, range.high);
    return index;
}

// functionScopesAt(cu, pc, chain, 0) through the CU's index: the scope the walk would stop at
// is the first in DIE order of those whose ranges hold pc (or, where the walk finds none, a local
// class's member function); below it the walk goes on as usual.
void functionScopesAt(const CuScopes& index, Dwarf_Addr pc, std::vector<Dwarf_Die>& chain) {
    auto it = std::upper_bound(index.ranges.begin(), index.ranges.end(), pc,
                               [](Dwarf_Addr a, const CuScopes::Range& r) { return a < r.low; });
    std::optional<std::uint32_t> first;
    while (it != index.ranges.begin()) {
        --it;
        if (it->maxHigh <= pc) break;
        if (it->high > pc && (!first || it->scope < *first)) first = it->scope;
    }
    if (!first) return;
    CuScopes::Scope scope = index.scopes[*first];
    if (dwarf_tag(&scope.die) != DW_TAG_lexical_block) chain.push_back(scope.die);
    functionScopesAt(&scope.die, pc, chain, scope.depth + 1);
}

// From the innermost scope outwards: each inlined subroutine is a frame whose caller's
// location is the inlined scope's call site; the real function ends the chain.
void framesFromScopes(const CuScopes& index, Dwarf_Addr pc, Frame first, std::vector<Frame>& out) {
    std::vector<Dwarf_Die> chain;
    functionScopesAt(index, pc, chain);
    Frame current = std::move(first);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        Dwarf_Die* scope = &*it;
        current.function = functionName(scope);
        if (dwarf_tag(scope) != DW_TAG_inlined_subroutine) {
            out.push_back(std::move(current));
            return;
        }
        current.inlined = true;
        Frame outer;
        outer.address = current.address;
        outer.module = current.module;
        callSite(scope, outer);
        out.push_back(std::move(current));
        current = std::move(outer);
    }
    // The chain ended inside inlined code (damaged DWARF): keep the outermost location seen.
    if (!out.empty()) out.push_back(std::move(current));
}

// The ELF symbol naming pc: the module's sorted table, or libdwfl's scan for the rare address
// the table leaves to it.
const char* elfSymbolAt(LoadedModule& module, Dwarf_Addr pc) {
    if (!module.symbols) module.symbols.emplace(module.dwfl);
    if (const std::optional<const char*> name = module.symbols->find(pc)) return *name;
    GElf_Off offset = 0;
    GElf_Sym sym;
    return dwfl_module_addrinfo(module.dwfl, pc, &offset, &sym, nullptr, nullptr, nullptr);
}

// One libdwfl session over all the trace's modules. A Dwfl is not thread-safe, so each thread
// that symbolizes has its own session.
class Session {
public:
    explicit Session(const std::vector<ModuleInfo>& infos);
    ~Session() {
        if (m_dwfl != nullptr) dwfl_end(m_dwfl);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    std::vector<Frame> lookup(std::uint64_t returnAddress);

private:
    void addRange(std::uint64_t start, std::uint64_t end, std::size_t module);
    LoadedModule* moduleAt(std::uint64_t address);

    Dwfl* m_dwfl = nullptr;
    char* m_debuginfoPath = nullptr; // null: the standard /usr/lib/debug search
    Dwfl_Callbacks m_callbacks{};
    std::vector<LoadedModule> m_modules;
    std::map<std::uint64_t, MappedRange> m_ranges; // by start address, never overlapping
};

Session::Session(const std::vector<ModuleInfo>& infos) {
    m_callbacks.find_elf = dwfl_build_id_find_elf;
    m_callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
    m_callbacks.section_address = dwfl_offline_section_address;
    m_callbacks.debuginfo_path = &m_debuginfoPath;
    m_dwfl = dwfl_begin(&m_callbacks);
    if (m_dwfl == nullptr) return;
    dwfl_report_begin(m_dwfl);
    for (const ModuleInfo& info : infos) {
        LoadedModule loaded;
        loaded.path = info.path;
        Dwfl_Module* mod =
            dwfl_report_elf(m_dwfl, info.path.c_str(), info.path.c_str(), -1, info.bias, false);
        if (mod != nullptr) {
            // A file rebuilt since the recording would give wrong answers: use it only when its
            // build-id is the recorded one (or either is unknown).
            const unsigned char* bits = nullptr;
            GElf_Addr vaddr = 0;
            const int len = dwfl_module_build_id(mod, &bits, &vaddr);
            const bool matches = info.buildId.empty() || len <= 0 ||
                                 (static_cast<std::size_t>(len) == info.buildId.size() &&
                                  std::memcmp(bits, info.buildId.data(), info.buildId.size()) == 0);
            if (matches) loaded.dwfl = mod;
        }
        m_modules.push_back(std::move(loaded));
        const std::size_t index = m_modules.size() - 1;
        for (const format::Segment& seg : info.segments)
            addRange(seg.start, seg.start + seg.size, index);
        Dwarf_Addr low = 0, high = 0;
        if (info.segments.empty() && mod != nullptr &&
            dwfl_module_info(mod, nullptr, &low, &high, nullptr, nullptr, nullptr, nullptr))
            addRange(low, high, index);
    }
    dwfl_report_end(m_dwfl, nullptr, nullptr);
}

// Modules come in load order. When a range overlaps an earlier one, the earlier module was
// unloaded (dlclose) and this one mapped in its place, so the later module wins the addresses.
void Session::addRange(std::uint64_t start, std::uint64_t end, std::size_t module) {
    if (end <= start) return;
    auto it = m_ranges.lower_bound(start);
    if (it != m_ranges.begin() && std::prev(it)->second.end > start) --it;
    while (it != m_ranges.end() && it->first < end)
        it = m_ranges.erase(it);
    m_ranges[start] = MappedRange{end, module};
}

LoadedModule* Session::moduleAt(std::uint64_t address) {
    auto it = m_ranges.upper_bound(address);
    if (it == m_ranges.begin()) return nullptr;
    --it;
    return address < it->second.end ? &m_modules[it->second.module] : nullptr;
}

std::vector<Frame> Session::lookup(std::uint64_t returnAddress) {
    Frame first;
    first.address = returnAddress;
    // A return address points after the call; the call itself is one byte earlier.
    const std::uint64_t pc = returnAddress > 0 ? returnAddress - 1 : 0;
    LoadedModule* module = moduleAt(pc);
    if (module == nullptr) return {first};
    first.module = module->path;
    if (module->dwfl == nullptr) return {first};

    std::vector<Frame> out;
    Dwarf_Addr bias = 0;
    if (Dwarf_Die* cu = cuAt(*module, pc, bias)) {
        if (Dwarf_Line* line = dwarf_getsrc_die(cu, pc - bias)) {
            int lineNo = 0;
            if (const char* file = dwarf_linesrc(line, nullptr, nullptr))
                first.file = sourcePath(cu, file);
            if (dwarf_lineno(line, &lineNo) == 0 && lineNo > 0)
                first.line = static_cast<std::uint32_t>(lineNo);
        }
        auto scopes = module->cuScopes.find(cu);
        if (scopes == module->cuScopes.end())
            scopes = module->cuScopes.emplace(cu, indexScopes(cu)).first;
        framesFromScopes(scopes->second, pc - bias, first, out);
    }
    if (out.empty()) out.push_back(first);
    // The real (not inlined) function is named from the ELF symbol table when it can be: its
    // mangled name is fully qualified, where DWARF may only give "addOrder" (members of
    // anonymous namespaces carry no linkage name). It also names code without DWARF.
    if (const char* name = elfSymbolAt(*module, pc)) {
        // Drop a symbol version ("__libc_start_main@@GLIBC_2.34"); mangled names have no '@'.
        const std::string_view symbol(name);
        out.back().function = demangle(std::string(symbol.substr(0, symbol.find('@'))));
    }
    return out;
}

// Below this many addresses per session a second one saves too little to be worth it. Measured
// on traces of real programs, with the scope index (CuScopes): the addresses of a module without
// DWARF cost microseconds, and a module's first use (a separate debug file, its compile units)
// cannot be split, so two sessions shorten the work only where many addresses fall in DWARF
// compile units; there they took 65-80% of the serial time, with at most a few percent more CPU
// for the module both slices open.
constexpr std::size_t kMinAddressesPerThread = 256;
constexpr unsigned kMaxThreads = 4;

// How many sessions resolve count addresses: the caller's choice, else HEAPSCOPE_SYMBOLIZE_THREADS
// when it holds a positive number (tests compare 1 with more), else one per core (at most
// kMaxThreads) as far as the addresses pay for them.
std::size_t sessionsFor(std::size_t count, unsigned threads) {
    if (threads == 0) {
        const char* text = std::getenv("HEAPSCOPE_SYMBOLIZE_THREADS");
        const char* end = text == nullptr ? nullptr : text + std::strlen(text);
        if (text == nullptr || std::from_chars(text, end, threads).ptr != end) threads = 0;
    }
    if (threads > 0) return std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(count, 1));
    const unsigned cores = std::min(std::max(std::thread::hardware_concurrency(), 1u), kMaxThreads);
    return std::clamp<std::size_t>(count / kMinAddressesPerThread, 1, cores);
}

} // namespace

struct Symbolizer::Impl {
    std::vector<ModuleInfo> m_infos; // for the sessions of prefetch()'s other threads
    Session m_session;
    std::unordered_map<std::uint64_t, std::vector<Frame>> m_cache;

    explicit Impl(const std::vector<ModuleInfo>& infos) : m_infos(infos), m_session(infos) {}
};

Symbolizer::Symbolizer(const std::vector<ModuleInfo>& modules)
    : m_impl(std::make_unique<Impl>(modules)) {}

Symbolizer::~Symbolizer() = default;

const std::vector<Frame>& Symbolizer::symbolize(std::uint64_t returnAddress) {
    auto it = m_impl->m_cache.find(returnAddress);
    if (it == m_impl->m_cache.end())
        it = m_impl->m_cache.emplace(returnAddress, m_impl->m_session.lookup(returnAddress)).first;
    return it->second;
}

void Symbolizer::prefetch(std::vector<std::uint64_t> addresses, unsigned threads) {
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    std::erase_if(addresses, [this](std::uint64_t a) { return m_impl->m_cache.contains(a); });
    const std::size_t parts = sessionsFor(addresses.size(), threads);
    // Contiguous slices of the sorted addresses: each session then opens only the modules its
    // slice touches. Lookups depend on nothing but the address, so the frames are the same
    // whichever session resolves them.
    std::vector<std::vector<std::vector<Frame>>> results(parts);
    std::vector<std::exception_ptr> errors(parts);
    const auto slice = [&](std::size_t part, Session& session) {
        const std::size_t begin = addresses.size() * part / parts;
        const std::size_t end = addresses.size() * (part + 1) / parts;
        try {
            for (std::size_t i = begin; i < end; ++i)
                results[part].push_back(session.lookup(addresses[i]));
        } catch (...) {
            errors[part] = std::current_exception();
        }
    };
    std::vector<std::thread> workers;
    for (std::size_t part = 1; part < parts; ++part) {
        workers.emplace_back([&, part] {
            try {
                Session session(m_impl->m_infos);
                slice(part, session);
            } catch (...) {
                errors[part] = std::current_exception();
            }
        });
    }
    slice(0, m_impl->m_session);
    for (std::thread& worker : workers)
        worker.join();
    for (const std::exception_ptr& error : errors)
        if (error) std::rethrow_exception(error);
    std::size_t next = 0;
    for (std::vector<std::vector<Frame>>& part : results)
        for (std::vector<Frame>& frames : part)
            m_impl->m_cache.emplace(addresses[next++], std::move(frames));
}

std::vector<Frame> Symbolizer::symbolizeStack(const Model& model, StackId stack) {
    std::vector<Frame> out;
    for (const std::uint64_t address : returnAddresses(model, stack)) {
        for (const Frame& frame : symbolize(address)) {
            if (frame.module && isRecorderModule(*frame.module)) continue;
            out.push_back(frame);
        }
    }
    return out;
}

} // namespace heapscope::analysis
