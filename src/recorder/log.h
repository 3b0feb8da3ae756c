// recorder: one-line diagnostics on stderr written with write(2), so logging never allocates
// and never touches stdout. Debug lines compile to nothing unless HEAPSCOPE_RECORDER_DEBUG is 1.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstring>

#ifndef HEAPSCOPE_RECORDER_DEBUG
#define HEAPSCOPE_RECORDER_DEBUG 0
#endif

namespace heapscope::recorder {

// Set from HEAPSCOPE_QUIET at start-up.
inline bool s_logQuiet = false;

// Writes "heapscope: <message>[: <detail>]\n" as one write(2), so lines from several processes
// sharing stderr do not interleave.
inline void logLine(const char* message, const char* detail = nullptr) noexcept {
    if (s_logQuiet) return;
    char line[512];
    std::size_t n = 0;
    auto put = [&](const char* s) {
        for (; *s != '\0' && n < sizeof(line) - 1; ++s) line[n++] = *s;
    };
    put("heapscope: ");
    put(message);
    if (detail != nullptr) {
        put(": ");
        put(detail);
    }
    line[n++] = '\n';
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, line, n);
}

inline void logDebug([[maybe_unused]] const char* message,
                     [[maybe_unused]] const char* detail = nullptr) noexcept {
    if constexpr (HEAPSCOPE_RECORDER_DEBUG != 0) logLine(message, detail);
}

} // namespace heapscope::recorder
