// fuzz: libFuzzer entry for the trace reader. Each input becomes a file (an in-memory memfd) that
// is opened and read to the end; sanitizers report any out-of-bounds access or leak.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "format/reader.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    heapscope::format::TraceReader reader;
    if (!reader.open(heapscope::fuzz::memoryFile(data, size))) {
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
