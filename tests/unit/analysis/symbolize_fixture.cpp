// tests (analysis): a program with known functions for the symbolizer test. It prints its load
// bias, its executable segments, return addresses taken inside known (and inlined) code, and one
// inside crt1's _start, which has no DWARF.
#include <link.h>

#include <cstdint>
#include <cstdio>

extern "C" void _start();

namespace fixture {

volatile int g_sink = 0;

[[gnu::noinline]] void* probe() {
    g_sink = g_sink + 1;
    return __builtin_return_address(0);
}

[[gnu::always_inline]] inline void* innerStep() {
    void* address = probe(); // LINE:inner-call
    g_sink = g_sink + 2;
    return address;
}

[[gnu::noinline]] void* outerWork() {
    void* address = innerStep(); // LINE:outer-call
    g_sink = g_sink + 3;
    return address;
}

[[gnu::noinline]] void* plainCaller() {
    void* address = probe(); // LINE:plain-call
    g_sink = g_sink + 4;
    return address;
}

int printMainProgram(dl_phdr_info* info, std::size_t, void*) {
    std::printf("bias %#llx\n", static_cast<unsigned long long>(info->dlpi_addr));
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) != 0)
            std::printf("segment %#llx %#llx\n",
                        static_cast<unsigned long long>(info->dlpi_addr + ph.p_vaddr),
                        static_cast<unsigned long long>(ph.p_memsz));
    }
    return 1; // the first entry is the program itself
}

} // namespace fixture

int main() {
    dl_iterate_phdr(fixture::printMainProgram, nullptr);
    std::printf("inlined %p\n", fixture::outerWork());
    std::printf("plain %p\n", fixture::plainCaller());
    // As if _start's first instruction had been a call: the symbolizer looks one byte back.
    std::printf("start %p\n", static_cast<void*>(reinterpret_cast<char*>(&_start) + 1));
    return 0;
}
