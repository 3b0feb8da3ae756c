// fuzz: the file a fuzzer's input is read from, an in-memory memfd reused for every input, so
// the readers under test open a path as they do in use.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace heapscope::fuzz {

// Replaces the memory file's content with data and returns its path.
inline std::string memoryFile(const std::uint8_t* data, std::size_t size) {
    static const int fd = memfd_create("heapscope-fuzz", MFD_CLOEXEC);
    if (fd < 0) std::abort();
    if (::ftruncate(fd, 0) != 0) std::abort();
    for (std::size_t done = 0; done < size;) {
        const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
        if (n <= 0) std::abort();
        done += static_cast<std::size_t>(n);
    }
    return "/proc/self/fd/" + std::to_string(fd);
}

} // namespace heapscope::fuzz
