// reports: writing the queryable heap into SQLite: the schema, the allocation rows in bulk, and
// the tables that come from the Model.
#include "reports/sqlite_export.h"

#include <algorithm>
#include <ctime>
#include <set>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include "analysis/sample_weight.h"
#include "reports/record_text.h"

namespace heapscope::reports {
namespace {

// Bumped when a table or column changes meaning; `heapscope query` rebuilds older caches.
constexpr int kSchemaVersion = 2;

// Times are nanoseconds since the start of the recording. Addresses are stored as signed 64-bit
// integers (user-space addresses are below 2^63). `bt` and `backtraces.id` are the trace's
// stack ids; a bt with no backtraces rows is an unknown stack. `weight` is how many allocations
// the row stands for: 1 unless the trace was sampled (analysis/sample_weight.h), so that
// SUM(weight) and SUM(size * weight) estimate counts and bytes either way.
constexpr const char* kSchema = R"sql(
CREATE TABLE allocations(
    alloc_after INTEGER NOT NULL, dealloc_after INTEGER, bt INTEGER NOT NULL,
    size INTEGER NOT NULL, addr INTEGER NOT NULL, alloc_thread INTEGER NOT NULL,
    dealloc_thread INTEGER, family TEXT NOT NULL, leak TEXT, weight REAL NOT NULL DEFAULT 1.0);
CREATE TABLE backtraces(
    id INTEGER NOT NULL, frame_no INTEGER NOT NULL, file TEXT, line INTEGER, sym TEXT,
    module TEXT, address INTEGER NOT NULL, inlined INTEGER NOT NULL);
CREATE TABLE sites(
    bt INTEGER PRIMARY KEY, allocations INTEGER NOT NULL, bytes_allocated INTEGER NOT NULL,
    peak_bytes INTEGER NOT NULL, leaked_bytes INTEGER NOT NULL, leaked_blocks INTEGER NOT NULL,
    temporary_allocations INTEGER NOT NULL, total_lifetime_ns INTEGER, max_live_bytes INTEGER,
    max_live_blocks INTEGER);
CREATE TABLE threads(
    id INTEGER PRIMARY KEY, tid INTEGER NOT NULL, name TEXT, start_time INTEGER NOT NULL,
    end_time INTEGER);
CREATE TABLE modules(
    id INTEGER NOT NULL, path TEXT NOT NULL, build_id TEXT, bias INTEGER NOT NULL,
    load_time INTEGER NOT NULL, unload_time INTEGER);
CREATE TABLE samples(time INTEGER NOT NULL, heap_bytes INTEGER NOT NULL,
    rss_bytes INTEGER NOT NULL);
CREATE TABLE marks(time INTEGER NOT NULL, thread INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE errors(
    time INTEGER NOT NULL, thread INTEGER NOT NULL, kind TEXT NOT NULL, addr INTEGER NOT NULL,
    size INTEGER NOT NULL, offset INTEGER NOT NULL, bt INTEGER, alloc_bt INTEGER,
    free_bt INTEGER);
CREATE TABLE meta(key TEXT PRIMARY KEY, value);
)sql";

// Built after the rows are in: maintaining them during the inserts is several times slower.
constexpr const char* kIndexes = R"sql(
CREATE INDEX allocations_bt ON allocations(bt);
CREATE INDEX allocations_size ON allocations(size);
CREATE INDEX allocations_alloc_after ON allocations(alloc_after);
CREATE INDEX backtraces_id ON backtraces(id);
)sql";

// The rows are inserted without their weight (the default); a sampled trace's are set at the end.
constexpr const char* kAllocationInsert = "allocations(alloc_after, dealloc_after, bt, size, addr, "
                                          "alloc_thread, dealloc_thread, family, leak)";
constexpr int kAllocationColumns = 9;

std::string insertSql(const char* table, int columns, int rows) {
    std::string row = "(?";
    for (int i = 1; i < columns; ++i)
        row += ",?";
    row += ')';
    std::string sql = fmt::format("INSERT INTO {} VALUES {}", table, row);
    for (int i = 1; i < rows; ++i)
        sql += "," + row;
    return sql;
}

template <typename T>
void bindOptional(SqliteStatement& s, int index, const std::optional<T>& v) {
    if (v) {
        s.bind(index, static_cast<std::int64_t>(*v));
    } else {
        s.bindNull(index);
    }
}

void bindOptionalText(SqliteStatement& s, int index, const std::optional<std::string>& v) {
    if (v) {
        s.bindText(index, *v);
    } else {
        s.bindNull(index);
    }
}

// A stack id of 0 means "none" in error records.
void bindStack(SqliteStatement& s, int index, StackId stack) {
    if (stack.value != 0) {
        s.bind(index, std::int64_t{stack.value});
    } else {
        s.bindNull(index);
    }
}

std::string hexBytes(const std::string& bytes) {
    std::string out;
    for (const unsigned char c : bytes)
        out += fmt::format("{:02x}", c);
    return out;
}

std::string joinCommandLine(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& arg : args)
        out += (out.empty() ? "" : " ") + arg;
    return out;
}

std::string isoTime(std::uint64_t unixNs) {
    const std::time_t seconds = static_cast<std::time_t>(unixNs / 1'000'000'000u);
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(seconds));
}

// The weight of each row of a sampled trace, by a SQL function over its size: one UPDATE instead
// of a weight carried through the row stream, and sampled traces have few rows.
void writeWeights(SqliteConnection& db, std::uint64_t sampleRate) {
    if (sampleRate == 0) return;
    analysis::SampleWeights weights(sampleRate);
    const auto weightOf = [](sqlite3_context* context, int, sqlite3_value** args) {
        const auto* w = static_cast<const analysis::SampleWeights*>(sqlite3_user_data(context));
        const sqlite3_int64 size = sqlite3_value_int64(args[0]);
        sqlite3_result_double(
            context, w->weight(static_cast<std::uint64_t>(std::max<sqlite3_int64>(size, 0))));
    };
    if (sqlite3_create_function_v2(db.get(), "heapscope_sample_weight", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, &weights, weightOf, nullptr,
                                   nullptr, nullptr) != SQLITE_OK)
        throw SqliteError(sqlite3_errmsg(db.get()));
    db.exec("UPDATE allocations SET weight = heapscope_sample_weight(size)");
    // The function must not outlive `weights`.
    sqlite3_create_function_v2(db.get(), "heapscope_sample_weight", 1, SQLITE_UTF8, nullptr,
                               nullptr, nullptr, nullptr, nullptr);
}

void writeSites(SqliteConnection& db, const analysis::Model& model) {
    SqliteStatement insert = db.prepare(insertSql("sites", 10, 1));
    for (const analysis::SiteStats& site : model.sites) {
        insert.bind(1, std::int64_t{site.stack.value});
        insert.bind(2, site.allocations);
        insert.bind(3, site.bytesAllocated);
        insert.bind(4, site.peakBytes);
        insert.bind(5, site.leakedBytes);
        insert.bind(6, site.leakedBlocks);
        insert.bind(7, site.temporaryAllocations);
        std::optional<analysis::SiteLifetime> lifetime;
        if (site.stack.value < model.siteLifetimes.size())
            lifetime = model.siteLifetimes[site.stack.value];
        bindOptional(insert, 8, lifetime ? std::optional(lifetime->totalLifetimeNs) : std::nullopt);
        bindOptional(insert, 9, lifetime ? std::optional(lifetime->max.bytes) : std::nullopt);
        bindOptional(insert, 10, lifetime ? std::optional(lifetime->max.blocks) : std::nullopt);
        insert.run();
    }
}

// One row per frame of every stack a row of another table names, innermost first.
void writeBacktraces(SqliteConnection& db, const analysis::Model& model,
                     const StackResolver& resolve) {
    std::set<std::uint32_t> stacks;
    for (const analysis::SiteStats& site : model.sites)
        stacks.insert(site.stack.value);
    for (const format::ErrorRecord& error : model.errors) {
        for (const StackId stack : {error.stack, error.allocStack, error.freeStack})
            stacks.insert(stack.value);
    }
    stacks.erase(0);
    SqliteStatement insert = db.prepare(insertSql("backtraces", 8, 1));
    for (const std::uint32_t stack : stacks) {
        const std::vector<analysis::Frame> frames = resolve(StackId{stack});
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const analysis::Frame& frame = frames[i];
            insert.bind(1, std::int64_t{stack});
            insert.bind(2, static_cast<std::int64_t>(i));
            bindOptionalText(insert, 3, frame.file);
            bindOptional(insert, 4, frame.line);
            bindOptionalText(insert, 5, frame.function);
            bindOptionalText(insert, 6, frame.module);
            insert.bind(7, frame.address);
            insert.bind(8, std::int64_t{frame.inlined ? 1 : 0});
            insert.run();
        }
    }
}

void writeThreads(SqliteConnection& db, const analysis::Model& model) {
    SqliteStatement insert = db.prepare(insertSql("threads", 5, 1));
    for (const analysis::ThreadInfo& thread : model.threads) {
        insert.bind(1, std::int64_t{thread.thread.value});
        insert.bind(2, thread.tid);
        insert.bindText(3, thread.name);
        insert.bind(4, thread.startNs);
        bindOptional(insert, 5, thread.endNs);
        insert.run();
    }
}

void writeModules(SqliteConnection& db, const analysis::Model& model) {
    SqliteStatement insert = db.prepare(insertSql("modules", 6, 1));
    for (const analysis::ModuleInfo& module : model.modules) {
        const std::string buildId = hexBytes(module.buildId);
        insert.bind(1, std::int64_t{module.id.value});
        insert.bindText(2, module.path);
        if (buildId.empty()) {
            insert.bindNull(3);
        } else {
            insert.bindText(3, buildId);
        }
        insert.bind(4, module.bias);
        insert.bind(5, module.loadTimeNs);
        bindOptional(insert, 6, module.unloadTimeNs);
        insert.run();
    }
}

void writeMarks(SqliteConnection& db, const analysis::Model& model) {
    SqliteStatement insert = db.prepare(insertSql("marks", 3, 1));
    for (const analysis::Mark& mark : model.marks) {
        insert.bind(1, mark.timeNs);
        insert.bind(2, std::int64_t{mark.thread.value});
        insert.bindText(3, mark.name);
        insert.run();
    }
}

void writeErrors(SqliteConnection& db, const analysis::Model& model) {
    SqliteStatement insert = db.prepare(insertSql("errors", 9, 1));
    for (const format::ErrorRecord& error : model.errors) {
        insert.bind(1, error.timeNs);
        insert.bind(2, std::int64_t{error.thread.value});
        insert.bindText(3, errorKindName(error.kind));
        insert.bind(4, error.address);
        insert.bind(5, error.size);
        insert.bind(6, error.offset);
        bindStack(insert, 7, error.stack);
        bindStack(insert, 8, error.allocStack);
        bindStack(insert, 9, error.freeStack);
        insert.run();
    }
}

void writeMeta(SqliteConnection& db, const analysis::Model& model, const MetaRows& extraMeta) {
    SqliteStatement insert = db.prepare(insertSql("meta", 2, 1));
    const auto text = [&](std::string_view key, const std::string& value) {
        insert.bindText(1, key);
        insert.bindText(2, value);
        insert.run();
    };
    const auto number = [&](std::string_view key, std::int64_t value) {
        insert.bindText(1, key);
        insert.bind(2, value);
        insert.run();
    };
    const format::TraceHeader& header = model.header;
    const analysis::Summary& summary = model.summary;
    number("schema_version", kSchemaVersion);
    number("format_version", header.version);
    text("program", header.executable);
    number("pid", static_cast<std::int64_t>(header.pid));
    number("ppid", static_cast<std::int64_t>(header.ppid));
    text("command_line", joinCommandLine(header.commandLine));
    text("start_time", isoTime(header.startRealtimeNs));
    number("start_time_ns", static_cast<std::int64_t>(header.startRealtimeNs));
    number("sample_rate", static_cast<std::int64_t>(header.sampleRate));
    number("stack_depth", header.stackDepth);
    number("page_size", static_cast<std::int64_t>(header.pageSize));
    number("runtime_ns", static_cast<std::int64_t>(summary.runtimeNs));
    number("truncated", summary.truncated ? 1 : 0);
    if (!model.readProblem.empty()) text("read_problem", model.readProblem);
    if (summary.exitStatus) number("exit_status", *summary.exitStatus);
    for (const auto& [key, value] : extraMeta)
        text(key, value);
}

} // namespace

SqliteExport::SqliteExport(const std::string& path)
    // One thread uses the connection: no mutex around every bind and step.
    : m_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX) {
    // The file is new and written by this process alone: no journal, no syncs (a failed export
    // is removed, never half-used). Large pages make the bulk insert and the index builds cheaper.
    m_db.exec("PRAGMA page_size=65536; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
              "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-65536;");
    m_db.exec(kSchema);
    m_db.exec("BEGIN");
    m_insertBatch = m_db.prepare(insertSql(kAllocationInsert, kAllocationColumns, kBatchRows));
    m_insertOne = m_db.prepare(insertSql(kAllocationInsert, kAllocationColumns, 1));
    m_insertSample = m_db.prepare(insertSql("samples", 3, 1));
}

void SqliteExport::bindRow(SqliteStatement& s, int first,
                           const analysis::AllocationLifetime& lifetime) {
    s.bind(first, lifetime.allocNs);
    bindOptional(s, first + 1, lifetime.freeNs);
    s.bind(first + 2, std::int64_t{lifetime.stack.value});
    s.bind(first + 3, lifetime.size);
    s.bind(first + 4, lifetime.address);
    s.bind(first + 5, std::int64_t{lifetime.allocThread.value});
    if (lifetime.freeThread) {
        s.bind(first + 6, std::int64_t{lifetime.freeThread->value});
    } else {
        s.bindNull(first + 6);
    }
    s.bindText(first + 7, familyName(lifetime.family));
    if (lifetime.leak) {
        s.bindText(first + 8, leakKindName(*lifetime.leak));
    } else {
        s.bindNull(first + 8);
    }
}

void SqliteExport::onLifetime(const analysis::AllocationLifetime& lifetime) {
    m_batch[static_cast<std::size_t>(m_batched++)] = lifetime;
    if (m_batched == kBatchRows) flushBatch();
}

void SqliteExport::flushBatch() {
    if (m_batched == kBatchRows) {
        for (int i = 0; i < kBatchRows; ++i)
            bindRow(m_insertBatch, 1 + i * kAllocationColumns,
                    m_batch[static_cast<std::size_t>(i)]);
        m_insertBatch.run();
    } else {
        for (int i = 0; i < m_batched; ++i) {
            bindRow(m_insertOne, 1, m_batch[static_cast<std::size_t>(i)]);
            m_insertOne.run();
        }
    }
    m_rows += static_cast<std::uint64_t>(m_batched);
    m_batched = 0;
}

void SqliteExport::onSample(const analysis::HeapSample& sample) {
    m_insertSample.bind(1, sample.timeNs);
    m_insertSample.bind(2, sample.heapBytes);
    m_insertSample.bind(3, sample.rssBytes);
    m_insertSample.run();
}

void SqliteExport::finish(const analysis::Model& model, const StackResolver& resolve,
                          const MetaRows& extraMeta) {
    flushBatch();
    writeWeights(m_db, model.header.sampleRate);
    writeSites(m_db, model);
    writeBacktraces(m_db, model, resolve);
    writeThreads(m_db, model);
    writeModules(m_db, model);
    writeMarks(m_db, model);
    writeErrors(m_db, model);
    writeMeta(m_db, model, extraMeta);
    m_db.exec(kIndexes);
    m_db.exec("COMMIT");
}

} // namespace heapscope::reports
