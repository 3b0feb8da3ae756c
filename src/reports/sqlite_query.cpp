// reports: running one read-only statement. The database is opened read-only and the statement
// is also checked with sqlite3_stmt_readonly, so a refusal names the real reason.
#include "reports/sqlite_query.h"

#include <cctype>
#include <memory>

#include <sqlite3.h>

namespace heapscope::reports {
namespace {

bool onlySpaceOrSemicolons(const char* text) {
    for (; *text != '\0'; ++text) {
        if (*text != ';' && std::isspace(static_cast<unsigned char>(*text)) == 0) return false;
    }
    return true;
}

SqlValue columnValue(sqlite3_stmt* stmt, int column) {
    switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(stmt, column));
    case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, column);
    case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
        return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
    }
    case SQLITE_BLOB: {
        const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, column));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, column));
        return SqlBlob{data == nullptr ? std::string() : std::string(data, size)};
    }
    default:
        return std::monostate{};
    }
}

class MetaOutput final : public QueryOutput {
public:
    explicit MetaOutput(std::map<std::string, std::string>& meta) : m_meta(meta) {}
    void columns(const std::vector<std::string>&) override {}
    void row(const std::vector<SqlValue>& values) override {
        const auto* key = std::get_if<std::string>(&values[0]);
        if (key == nullptr) return;
        if (const auto* text = std::get_if<std::string>(&values[1])) {
            m_meta[*key] = *text;
        } else if (const auto* number = std::get_if<std::int64_t>(&values[1])) {
            m_meta[*key] = std::to_string(*number);
        }
    }
    void end() override {}

private:
    std::map<std::string, std::string>& m_meta;
};

} // namespace

void runReadOnlyQuery(const std::string& dbPath, const std::string& sql, QueryOutput& output) {
    SqliteConnection db(dbPath, SQLITE_OPEN_READONLY);
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, &tail) !=
        SQLITE_OK) {
        sqlite3_finalize(raw);
        throw SqliteError(sqlite3_errmsg(db.get()));
    }
    // Owned from here on, so every exit below finalizes it.
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    if (stmt == nullptr) throw SqliteError("no SQL statement given");
    if (tail != nullptr && !onlySpaceOrSemicolons(tail))
        throw SqliteError("give one SQL statement at a time");
    if (sqlite3_stmt_readonly(stmt.get()) == 0)
        throw QueryRefused("only read-only statements are allowed");

    const int count = sqlite3_column_count(stmt.get());
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) {
        const char* name = sqlite3_column_name(stmt.get(), i);
        names.emplace_back(name != nullptr ? name : "");
    }
    output.columns(names);
    std::vector<SqlValue> values(static_cast<std::size_t>(count));
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
        for (int i = 0; i < count; ++i)
            values[static_cast<std::size_t>(i)] = columnValue(stmt.get(), i);
        output.row(values);
    }
    if (rc != SQLITE_DONE) throw SqliteError(sqlite3_errmsg(db.get()));
    output.end();
}

std::map<std::string, std::string> readDatabaseMeta(const std::string& dbPath) {
    std::map<std::string, std::string> meta;
    MetaOutput output(meta);
    runReadOnlyQuery(dbPath, "SELECT key, value FROM meta", output);
    return meta;
}

} // namespace heapscope::reports
