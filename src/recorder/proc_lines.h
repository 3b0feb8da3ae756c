// recorder: reading /proc files one line at a time through a fixed buffer, and the hex numbers
// in them. No malloc: used while other threads may be stopped holding the malloc lock.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

namespace heapscope::recorder {

// Reads lower-case hex digits at p, leaving p on the first other character.
inline std::uint64_t parseHex(const char*& p) noexcept {
    std::uint64_t value = 0;
    for (;; ++p) {
        const char c = *p;
        if (c >= '0' && c <= '9') {
            value = value * 16 + static_cast<std::uint64_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            value = value * 16 + static_cast<std::uint64_t>(c - 'a' + 10);
        } else {
            return value;
        }
    }
}

// Calls visit(line) for each line of the file until it returns true. False if the file cannot
// be opened.
template <typename Visit>
bool forEachProcLine(const char* path, Visit&& visit) noexcept {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buffer[4096];
    std::size_t used = 0;
    bool done = false;
    while (!done) {
        const ssize_t n = ::read(fd, buffer + used, sizeof(buffer) - 1 - used);
        if (n <= 0) break;
        used += static_cast<std::size_t>(n);
        buffer[used] = '\0';
        char* line = buffer;
        while (char* newline = std::strchr(line, '\n')) {
            *newline = '\0';
            if (visit(static_cast<const char*>(line))) {
                done = true;
                break;
            }
            line = newline + 1;
        }
        // Keep the unfinished line for the next read; a line longer than the buffer (a very
        // long path) loses its start, and such a line can only name a file mapping.
        used = static_cast<std::size_t>(buffer + used - line);
        if (used == sizeof(buffer) - 1) used = 0;
        std::memmove(buffer, line, used);
    }
    ::close(fd);
    return true;
}

} // namespace heapscope::recorder
