// cli: the program file's facts that keep LD_PRELOAD out (see preload_reach.h), read with libelf.
#include "cli/preload_reach.h"

#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace heapscope::cli {
namespace {

bool isExecutableFile(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

// execvp's search: a name with a slash is a path; otherwise PATH's entries in order.
std::string programFile(const std::string& program) {
    if (program.find('/') != std::string::npos) return program;
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/bin:/usr/bin";
    while (true) {
        const auto colon = dirs.find(':');
        const std::string_view dir = dirs.substr(0, colon);
        const std::string candidate =
            (dir.empty() ? std::string(".") : std::string(dir)) + "/" + program;
        if (isExecutableFile(candidate)) return candidate;
        if (colon == std::string_view::npos) return {};
        dirs.remove_prefix(colon + 1);
    }
}

// True for an ELF executable without a PT_INTERP header: no dynamic loader runs in it.
bool isStaticElf(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool isStatic = false;
    elf_version(EV_CURRENT);
    if (Elf* elf = elf_begin(fd, ELF_C_READ, nullptr)) {
        std::size_t count = 0;
        if (elf_kind(elf) == ELF_K_ELF && elf_getphdrnum(elf, &count) == 0 && count > 0) {
            isStatic = true;
            for (std::size_t i = 0; i < count; ++i) {
                GElf_Phdr header;
                if (gelf_getphdr(elf, static_cast<int>(i), &header) != nullptr &&
                    header.p_type == PT_INTERP)
                    isStatic = false;
            }
        }
        elf_end(elf);
    }
    ::close(fd);
    return isStatic;
}

} // namespace

std::string whyPreloadCannotReach(const std::string& program) {
    const std::string path = programFile(program);
    if (path.empty()) return {};
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    if (((st.st_mode & S_ISUID) != 0 && st.st_uid != ::geteuid()) ||
        ((st.st_mode & S_ISGID) != 0 && st.st_gid != ::getegid()))
        return "'" + program + "' is set-user-ID or set-group-ID, and the dynamic loader ignores " +
               "LD_PRELOAD for it";
    if (isStaticElf(path))
        return "'" + program + "' is statically linked: no dynamic loader runs in it to preload " +
               "the recorder";
    return {};
}

} // namespace heapscope::cli
