// reports: the queryable heap, a SQLite database with a row per allocation (rheaper's
// `allocations` and `backtraces`, so its queries run unchanged) and the run's other tables.
// DESIGN.md ("SQLite") is the contract; the schema text is in sqlite_export.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/allocation_stream.h"
#include "reports/reporter.h"
#include "reports/sqlite_connection.h"

namespace heapscope::reports {

// Extra `meta` rows, e.g. how the database was made and from which trace.
using MetaRows = std::vector<std::pair<std::string, std::string>>;

// Fed by analysis::streamAllocations, then finished with the Model of the same pass. Everything
// is written in one transaction, committed by finish(); the indexes are built last.
class SqliteExport final : public analysis::LifetimeSink {
public:
    // Creates the schema in the new database file at path.
    explicit SqliteExport(const std::string& path);

    void onLifetime(const analysis::AllocationLifetime& lifetime) override;
    void onSample(const analysis::HeapSample& sample) override;

    // Writes the per-site, stack, thread, module, mark, error and meta tables, builds the
    // indexes and commits.
    void finish(const analysis::Model& model, const StackResolver& resolve,
                const MetaRows& extraMeta);

    std::uint64_t allocationRows() const { return m_rows; }

private:
    // Rows go in by multi-row INSERTs: the per-statement cost then counts once per batch.
    static constexpr int kBatchRows = 128;
    void bindRow(SqliteStatement& statement, int firstParameter,
                 const analysis::AllocationLifetime& lifetime);
    void flushBatch();

    SqliteConnection m_db;
    SqliteStatement m_insertBatch;
    SqliteStatement m_insertOne;
    SqliteStatement m_insertSample;
    std::array<analysis::AllocationLifetime, kBatchRows> m_batch;
    int m_batched = 0;
    std::uint64_t m_rows = 0;
};

} // namespace heapscope::reports
