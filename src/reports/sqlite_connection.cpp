// reports: the RAII layer over SQLite's C API.
#include "reports/sqlite_connection.h"

#include <cstring>
#include <fstream>
#include <utility>

#include <sqlite3.h>

namespace heapscope::reports {

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : m_db(db) {
    // Persistent: the export's statements run millions of times.
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
    if (rc != SQLITE_OK) throw SqliteError(sqlite3_errmsg(db));
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(m_stmt); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_stmt(std::exchange(other.m_stmt, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_db = std::exchange(other.m_db, nullptr);
        m_stmt = std::exchange(other.m_stmt, nullptr);
    }
    return *this;
}

void SqliteStatement::check(int rc) const {
    if (rc != SQLITE_OK) throw SqliteError(sqlite3_errmsg(m_db));
}

void SqliteStatement::bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(m_stmt, index, value));
}

void SqliteStatement::bindText(int index, std::string_view text) {
    check(sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()),
                            SQLITE_STATIC));
}

void SqliteStatement::bindNull(int index) { check(sqlite3_bind_null(m_stmt, index)); }

void SqliteStatement::run() {
    const int rc = sqlite3_step(m_stmt);
    sqlite3_reset(m_stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw SqliteError(sqlite3_errmsg(m_db));
}

SqliteConnection::SqliteConnection(const std::string& path, int flags) {
    const int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string why = m_db != nullptr ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
        sqlite3_close(m_db);
        throw SqliteError(why);
    }
    sqlite3_extended_result_codes(m_db, 1);
}

SqliteConnection::~SqliteConnection() { sqlite3_close(m_db); }

void SqliteConnection::exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string why = message != nullptr ? message : sqlite3_errmsg(m_db);
        sqlite3_free(message);
        throw SqliteError(why);
    }
}

bool isSqliteFile(const std::string& path) {
    static constexpr char kMagic[] = "SQLite format 3"; // 16 bytes with its NUL
    char head[sizeof kMagic] = {};
    std::ifstream in(path, std::ios::binary);
    return in.read(head, sizeof head) && std::memcmp(head, kMagic, sizeof kMagic) == 0;
}

} // namespace heapscope::reports
