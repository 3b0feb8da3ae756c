// recorder: module map via dl_iterate_phdr; build-ids come from the in-memory PT_NOTE segments.
#include "recorder/modules.h"

#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "recorder/trace_naming.h"

namespace heapscope::recorder {
namespace {

struct Counters {
    unsigned long long adds = 0;
    unsigned long long subs = 0;
};

int readCounters(dl_phdr_info* info, std::size_t size, void* data) {
    auto* c = static_cast<Counters*>(data);
    if (size >= offsetof(dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
        c->adds = info->dlpi_adds;
        c->subs = info->dlpi_subs;
    }
    return 1; // the counters are the same in every entry: one is enough
}

std::string buildId(const dl_phdr_info* info) {
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_NOTE) continue;
        const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
        const unsigned char* end = p + ph.p_memsz;
        auto align4 = [](std::size_t n) { return (n + 3) & ~std::size_t{3}; };
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            ElfW(Nhdr) note;
            std::memcpy(&note, p, sizeof(note));
            const unsigned char* name = p + sizeof(note);
            const unsigned char* desc = name + align4(note.n_namesz);
            if (desc + note.n_descsz > end) break;
            if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
                std::memcmp(name, "GNU", 4) == 0) {
                return std::string(reinterpret_cast<const char*>(desc), note.n_descsz);
            }
            p = desc + align4(note.n_descsz);
        }
    }
    return {};
}

struct Loaded {
    std::uint64_t bias;
    std::string path;
    std::string buildId;
    std::vector<format::Segment> segments;
};

int collect(dl_phdr_info* info, std::size_t, void* data) {
    auto* out = static_cast<std::vector<Loaded>*>(data);
    Loaded m;
    m.bias = info->dlpi_addr;
    // The first entry is the main program, whose name the loader leaves empty.
    if (out->empty()) {
        m.path = executablePath();
    } else if (info->dlpi_name != nullptr && info->dlpi_name[0] != '\0') {
        m.path = info->dlpi_name;
    } else {
        return 0;
    }
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) != 0) {
            m.segments.push_back(format::Segment{info->dlpi_addr + ph.p_vaddr, ph.p_memsz});
        }
    }
    m.buildId = buildId(info);
    out->push_back(std::move(m));
    return 0;
}

struct RangeQuery {
    std::uintptr_t address;
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
};

int findRange(dl_phdr_info* info, std::size_t, void* data) {
    auto* q = static_cast<RangeQuery*>(data);
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        const std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) != 0 && q->address >= start &&
            q->address < start + ph.p_memsz) {
            q->start = start;
            q->end = start + ph.p_memsz;
            return 1;
        }
    }
    return 0;
}

} // namespace

bool ModuleMap::changed() const {
    Counters c;
    dl_iterate_phdr(readCounters, &c);
    return c.adds != m_adds || c.subs != m_subs;
}

void ModuleMap::refresh(std::uint64_t timeNs, format::TraceWriter& writer) {
    Counters c;
    dl_iterate_phdr(readCounters, &c);
    m_adds = c.adds;
    m_subs = c.subs;

    std::vector<Loaded> loaded;
    dl_iterate_phdr(collect, &loaded);
    for (Known& k : m_known) k.seen = false;
    for (Loaded& m : loaded) {
        auto it = std::find_if(m_known.begin(), m_known.end(), [&](const Known& k) {
            return k.bias == m.bias && k.path == m.path;
        });
        if (it != m_known.end()) {
            it->seen = true;
            continue;
        }
        const ModuleId id{m_nextId++};
        m_known.push_back(Known{id, m.bias, m.path, true});
        writer.write(format::ModuleRecord{id, timeNs, m.bias, std::move(m.path),
                                          std::move(m.buildId), std::move(m.segments)});
    }
    for (const Known& k : m_known) {
        if (!k.seen) writer.write(format::ModuleUnloadRecord{k.id, timeNs});
    }
    std::erase_if(m_known, [](const Known& k) { return !k.seen; });
}

void ModuleMap::reset() {
    m_known.clear();
    m_nextId = 0;
    m_adds = 0;
    m_subs = 0;
}

bool ModuleMap::executableRange(const void* address, std::uintptr_t& start, std::uintptr_t& end) {
    RangeQuery q{reinterpret_cast<std::uintptr_t>(address)};
    dl_iterate_phdr(findRange, &q);
    start = q.start;
    end = q.end;
    return q.end != 0;
}

} // namespace heapscope::recorder
