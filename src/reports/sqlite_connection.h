// reports: a thin RAII layer over SQLite's C API (a connection and its prepared statements),
// shared by the database export and the read-only query. Failures throw SqliteError.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace heapscope::reports {

// What SQLite said, in one line (its own message, without a prefix).
class SqliteError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SqliteStatement {
public:
    SqliteStatement() = default;
    SqliteStatement(sqlite3* db, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(SqliteStatement&& other) noexcept;
    SqliteStatement& operator=(SqliteStatement&& other) noexcept;
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    sqlite3_stmt* get() const { return m_stmt; }
    // Parameters count from 1, as in SQLite. Text is bound without a copy: it must outlive the
    // next step().
    void bind(int index, std::int64_t value);
    void bind(int index, std::uint64_t value) { bind(index, static_cast<std::int64_t>(value)); }
    void bindText(int index, std::string_view text);
    void bindNull(int index);
    // Runs a statement that returns no rows, then resets it for the next use.
    void run();

private:
    void check(int rc) const;
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
};

class SqliteConnection {
public:
    // flags: SQLITE_OPEN_* (read-only, or read-write and create).
    SqliteConnection(const std::string& path, int flags);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    sqlite3* get() const { return m_db; }
    // Runs one or more statements that return no rows.
    void exec(const std::string& sql);
    SqliteStatement prepare(std::string_view sql) { return SqliteStatement(m_db, sql); }

private:
    sqlite3* m_db = nullptr;
};

// "SQLite format 3\0": the file starts as a SQLite database does.
bool isSqliteFile(const std::string& path);

} // namespace heapscope::reports
