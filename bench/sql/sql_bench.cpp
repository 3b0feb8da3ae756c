// bench: rows per second into the queryable heap. Writes a synthetic trace of N allocations
// (all freed but a live window of 10,000, 16 call sites, sizes 16..527) with the format's
// TraceWriter, then times the export `heapscope sql` runs: the streaming pass that reads the
// trace and inserts every row, and the finish (other tables, indexes, commit).
// Usage: bench_sql [ROWS] [DIR]   (defaults: 5000000 rows, $TMPDIR or /tmp)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "analysis/allocation_stream.h"
#include "format/writer.h"
#include "reports/sqlite_export.h"

namespace {

using namespace heapscope;

constexpr std::uint64_t kLive = 10'000;
constexpr std::uint32_t kSites = 16;

double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return double(t.tv_sec) + double(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void writeTrace(const std::string& path, std::uint64_t rows) {
    format::TraceWriter writer;
    format::TraceHeader header;
    header.pid = 1;
    header.executable = "/bench/sql";
    if (!writer.open(path, header)) std::exit(2);
    for (std::uint32_t i = 1; i <= kSites; ++i)
        writer.write(format::StackNodeRecord{StackId{i}, StackId{0}, 0x400000u + 0x40u * i});
    std::uint64_t state = 0x9E3779B97F4A7C15ull; // xorshift: sizes and sites vary per row
    const auto address = [](std::uint64_t i) { return 0x10000000u + 64u * (i % (2 * kLive)); };
    for (std::uint64_t i = 0; i < rows; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if (i >= kLive) {
            writer.write(format::FreeRecord{ThreadIndex{0}, 100 * i, address(i - kLive),
                                            format::AllocFamily::Malloc});
        }
        writer.write(format::AllocRecord{ThreadIndex{0}, 100 * i + 50, address(i), 16 + state % 512,
                                         StackId{static_cast<std::uint32_t>(1 + state % kSites)},
                                         format::AllocFamily::Malloc});
    }
    writer.write(format::EndRecord{100 * rows + 100});
    if (!writer.close()) std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
    const std::uint64_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 5'000'000;
    const std::filesystem::path dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path();
    const std::string trace = (dir / "bench_sql.hst").string();
    const std::string db = (dir / "bench_sql.db").string();
    writeTrace(trace, rows);
    std::filesystem::remove(db);

    const auto start = std::chrono::steady_clock::now();
    const double cpuStart = cpuSeconds();
    reports::SqliteExport database(db);
    const analysis::Model model = analysis::streamAllocations(trace, {}, database);
    const double streamWall = since(start);
    const double streamCpu = cpuSeconds() - cpuStart;
    database.finish(model, [](StackId) { return std::vector<analysis::Frame>{}; }, {});
    const double totalWall = since(start);

    const double inserted = double(database.allocationRows());
    std::printf("rows %.0f, trace %ju bytes, database %ju bytes\n", inserted,
                std::uintmax_t(std::filesystem::file_size(trace)),
                std::uintmax_t(std::filesystem::file_size(db)));
    std::printf(
        "read trace + insert rows: %.2f s wall (%.0f rows/s), %.2f s CPU (%.0f rows/CPU-s)\n",
        streamWall, inserted / streamWall, streamCpu, inserted / streamCpu);
    std::printf("whole export incl. other tables and indexes: %.2f s wall (%.0f rows/s)\n",
                totalWall, inserted / totalWall);
    std::filesystem::remove(trace);
    std::filesystem::remove(db);
    return 0;
}
