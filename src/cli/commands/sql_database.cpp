// cli: building a trace's database into a temporary name and renaming it into place, and the
// cache `query` keeps beside the trace (or in the user's cache directory).
#include "cli/commands/sql_database.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "analysis/analyze.h"
#include "analysis/symbolizer.h"
#include "cli/command.h"
#include "cli/trace_input.h"
#include "reports/reporter.h"
#include "reports/sqlite_export.h"
#include "reports/sqlite_query.h"

namespace heapscope::cli {
namespace {

namespace fs = std::filesystem;

// What identifies the state of a trace file: a cache made from another state is stale.
struct TraceIdentity {
    std::string size;
    std::string mtimeNs;
};

TraceIdentity identityOf(const std::string& tracePath) {
    struct stat st {};
    if (::stat(tracePath.c_str(), &st) != 0) return {};
    const auto mtimeNs = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u +
                         static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
    return {std::to_string(st.st_size), std::to_string(mtimeNs)};
}

std::string absolutePath(const std::string& path) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(path, ec);
    return ec ? path : absolute.lexically_normal().string();
}

bool isCurrentCache(const std::string& dbPath, const std::string& tracePath) {
    if (!reports::isSqliteFile(dbPath)) return false;
    try {
        const auto meta = reports::readDatabaseMeta(dbPath);
        const TraceIdentity identity = identityOf(tracePath);
        const auto is = [&meta](const char* key, std::string_view value) {
            const auto it = meta.find(key);
            return it != meta.end() && it->second == value;
        };
        return is("heapscope_version", HEAPSCOPE_VERSION) && is("content", kFullContent) &&
               is("source_size", identity.size) && is("source_mtime_ns", identity.mtimeNs);
    } catch (const reports::SqliteError&) {
        return false; // not ours, or damaged: remade
    }
}

// FNV-1a: a stable name for a trace's cache entry, whatever the standard library.
std::string pathHash(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ull;
    }
    return fmt::format("{:016x}", hash);
}

fs::path userCacheDir() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/')
        return fs::path(xdg) / "heapscope";
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return fs::path(home) / ".cache" / "heapscope";
    return {};
}

bool writableDir(const fs::path& dir) { return ::access(dir.c_str(), W_OK | X_OK) == 0; }

} // namespace

BuiltDatabase buildDatabase(std::string_view command, const std::string& tracePath,
                            const std::string& dbPath, const analysis::LifetimeFilter& filter,
                            std::string_view content) {
    requireReadable(command, tracePath);
    std::error_code ec;
    if (fs::equivalent(tracePath, dbPath, ec))
        throw UsageError(
            fmt::format("{}: the database would replace the trace '{}'", command, dbPath));
    // Written under another name and renamed at the end: a reader never sees half a database,
    // and a failure leaves an older one untouched.
    const std::string partial = fmt::format("{}.partial-{}", dbPath, ::getpid());
    fs::remove(partial, ec);
    BuiltDatabase built;
    try {
        reports::SqliteExport database(partial);
        const analysis::Model model = analysis::streamAllocations(tracePath, filter, database);
        analysis::Symbolizer symbolizer(model.modules);
        const TraceIdentity identity = identityOf(tracePath);
        database.finish(model, reports::symbolizingResolver(model, symbolizer),
                        {{"heapscope_version", HEAPSCOPE_VERSION},
                         {"content", std::string(content)},
                         {"source_path", absolutePath(tracePath)},
                         {"source_size", identity.size},
                         {"source_mtime_ns", identity.mtimeNs}});
        built = {database.allocationRows(), model.sites.size()};
    } catch (const analysis::AnalysisError& e) {
        fs::remove(partial, ec);
        throw UsageError(fmt::format("{}: {}", command, e.what()));
    } catch (const reports::SqliteError& e) {
        fs::remove(partial, ec);
        throw UsageError(fmt::format("{}: cannot write '{}': {}", command, dbPath, e.what()));
    } catch (...) {
        fs::remove(partial, ec);
        throw;
    }
    if (std::rename(partial.c_str(), dbPath.c_str()) != 0) {
        const int error = errno;
        fs::remove(partial, ec);
        throw UsageError(
            fmt::format("{}: cannot write '{}': {}", command, dbPath, std::strerror(error)));
    }
    return built;
}

QueryDatabase::QueryDatabase(const std::string& input) {
    requireReadable("query", input);
    if (reports::isSqliteFile(input)) {
        m_path = input;
        return;
    }
    const std::string trace = absolutePath(input);
    std::vector<fs::path> places;
    places.push_back(trace + ".db");
    if (const fs::path cache = userCacheDir(); !cache.empty()) {
        places.push_back(
            cache / fmt::format("{}-{}.db", fs::path(trace).filename().string(), pathHash(trace)));
    }
    for (const fs::path& place : places) {
        if (isCurrentCache(place, input)) {
            m_path = place;
            return;
        }
    }
    for (const fs::path& place : places) {
        std::error_code ec;
        fs::create_directories(place.parent_path(), ec);
        if (!writableDir(place.parent_path())) continue;
        buildDatabase("query", input, place, {}, kFullContent);
        m_path = place;
        return;
    }
    // Neither place can be written: a database for this query only.
    std::string dirTemplate = (fs::temp_directory_path() / "heapscope-query-XXXXXX").string();
    if (::mkdtemp(dirTemplate.data()) == nullptr) {
        throw UsageError(
            fmt::format("query: cannot create a temporary database: {}", std::strerror(errno)));
    }
    m_temporaryDir = dirTemplate;
    m_path = m_temporaryDir / "trace.db";
    try {
        buildDatabase("query", input, m_path, {}, kFullContent);
    } catch (...) {
        std::error_code ec;
        fs::remove_all(m_temporaryDir, ec); // the destructor does not run for a failed constructor
        throw;
    }
}

QueryDatabase::~QueryDatabase() {
    std::error_code ec;
    if (!m_temporaryDir.empty()) fs::remove_all(m_temporaryDir, ec);
}

} // namespace heapscope::cli
