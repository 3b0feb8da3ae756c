// recorder: in-place LD_PRELOAD editing and the recorder's exported settings.
#include "recorder/preload_env.h"

#include <dlfcn.h>

#include <cstring>

extern char** environ;

namespace heapscope::recorder {
namespace {

constexpr char kPrefix[] = "LD_PRELOAD=";
constexpr char kLibraryName[] = "libheapscope";

bool isSeparator(char c) { return c == ':' || c == ' ' || c == '\t'; }

bool isRecorderEntry(const char* entry, std::size_t length) {
    std::size_t nameStart = 0;
    for (std::size_t i = 0; i < length; ++i) {
        if (entry[i] == '/') nameStart = i + 1;
    }
    const std::size_t nameLength = length - nameStart;
    return nameLength >= sizeof(kLibraryName) - 1 &&
           std::memcmp(entry + nameStart, kLibraryName, sizeof(kLibraryName) - 1) == 0;
}

} // namespace

void stripRecorderEntries(char* value) noexcept {
    char* out = value;
    for (const char* p = value; *p != '\0';) {
        while (isSeparator(*p)) ++p;
        const char* entry = p;
        while (*p != '\0' && !isSeparator(*p)) ++p;
        const auto length = static_cast<std::size_t>(p - entry);
        if (length == 0 || isRecorderEntry(entry, length)) continue;
        if (out != value) *out++ = ':';
        std::memmove(out, entry, length);
        out += length;
    }
    *out = '\0';
}

void removeSelfFromPreload() noexcept {
    for (char** env = environ; env != nullptr && *env != nullptr; ++env) {
        if (std::strncmp(*env, kPrefix, sizeof(kPrefix) - 1) == 0) {
            stripRecorderEntries(*env + sizeof(kPrefix) - 1);
        }
    }
}

void exportToChildren(const char* name, const char* value) noexcept {
    using SetenvFn = int (*)(const char*, const char*, int);
    static const auto libcSetenv = reinterpret_cast<SetenvFn>(dlsym(RTLD_NEXT, "setenv"));
    if (libcSetenv != nullptr) libcSetenv(name, value, 1);
}

} // namespace heapscope::recorder
