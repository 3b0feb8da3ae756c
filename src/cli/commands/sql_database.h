// cli: building the queryable heap of a trace (what `sql` writes and `query` caches), and
// finding or making the cached database `query` runs on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "analysis/allocation_stream.h"

namespace heapscope::cli {

// The `meta` value of a database with every allocation in it; filtered ones describe their
// filter instead, and `query` never takes them for its cache.
inline constexpr std::string_view kFullContent = "all allocations";

struct BuiltDatabase {
    std::uint64_t allocationRows = 0;
    std::uint64_t sites = 0;
};

// Writes the database of the trace at tracePath to dbPath (replacing it whole, or leaving it
// untouched on failure). content describes the filter, for the `meta` table. Throws UsageError
// ("<command>: ...") when the trace cannot be read or the database cannot be written.
BuiltDatabase buildDatabase(std::string_view command, const std::string& tracePath,
                            const std::string& dbPath, const analysis::LifetimeFilter& filter,
                            std::string_view content);

// The database `query` reads for input: input itself when it is a SQLite file; else a cached
// database of the trace, made or remade when missing, filtered, from another heapscope version
// or from another state of the trace. The cache is TRACE.db beside the trace; when that
// directory is not writable, $XDG_CACHE_HOME/heapscope (or ~/.cache/heapscope); when neither
// is, a temporary file removed when this object goes.
class QueryDatabase {
public:
    explicit QueryDatabase(const std::string& input);
    ~QueryDatabase();
    QueryDatabase(const QueryDatabase&) = delete;
    QueryDatabase& operator=(const QueryDatabase&) = delete;

    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    std::filesystem::path m_temporaryDir; // empty unless the last resort was taken
};

} // namespace heapscope::cli
