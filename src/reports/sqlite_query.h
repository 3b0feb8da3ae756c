// reports: `heapscope query`, one read-only SQL statement on a heapscope database, its result
// handed row by row to an output (an aligned table, CSV or JSON: sqlite_query_output.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "reports/sqlite_connection.h"

namespace heapscope::reports {

// A BLOB's bytes, kept apart from TEXT so outputs can show them as hex.
struct SqlBlob {
    std::string bytes;
};
// NULL, INTEGER, REAL, TEXT or BLOB.
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string, SqlBlob>;

// The statement would change the database: only reading is allowed.
class QueryRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class QueryOutput {
public:
    virtual ~QueryOutput() = default;
    virtual void columns(const std::vector<std::string>& names) = 0;
    virtual void row(const std::vector<SqlValue>& values) = 0;
    virtual void end() = 0;
};

// Opens the database at dbPath read-only and runs sql, which must be exactly one statement and
// read-only (QueryRefused otherwise, before anything runs). SQLite's errors throw SqliteError.
void runReadOnlyQuery(const std::string& dbPath, const std::string& sql, QueryOutput& output);

// The `meta` table of a heapscope database as text, key -> value. Throws SqliteError when the
// file is not a database or has no such table.
std::map<std::string, std::string> readDatabaseMeta(const std::string& dbPath);

} // namespace heapscope::reports
