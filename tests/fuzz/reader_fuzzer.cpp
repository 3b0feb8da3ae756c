// fuzz: libFuzzer entry for the trace reader. Each input becomes a file (an in-memory memfd) that
// is opened and read to the end; sanitizers report any out-of-bounds access or leak.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "format/reader.h"

namespace {

int memoryFile() {
    static const int fd = memfd_create("heapscope-fuzz", MFD_CLOEXEC);
    if (fd < 0) std::abort();
    return fd;
}

void fill(int fd, const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd, 0) != 0) std::abort();
    for (std::size_t done = 0; done < size;) {
        const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
        if (n <= 0) std::abort();
        done += static_cast<std::size_t>(n);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = memoryFile();
    fill(fd, data, size);
    heapscope::format::TraceReader reader;
    if (!reader.open("/proc/self/fd/" + std::to_string(fd))) {
        if (reader.error().empty()) std::abort();
        return 0;
    }
    heapscope::format::Record record;
    std::uint64_t records = 0;
    while (reader.next(record))
        ++records;
    // Every end but a complete one must say why.
    if (reader.outcome() == heapscope::format::ReadOutcome::Reading) std::abort();
    if (reader.outcome() != heapscope::format::ReadOutcome::Complete && reader.error().empty())
        std::abort();
    if (reader.endOfLastCompleteFrame() > reader.fileSize()) std::abort();
    (void)records;
    return 0;
}
