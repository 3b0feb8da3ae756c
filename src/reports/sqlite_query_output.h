// reports: the outputs of `heapscope query`: an aligned table for the terminal, CSV (RFC 4180,
// a header line first) and JSON (an array of objects keyed by column name). NULL is an empty
// cell in the table and CSV, null in JSON; a BLOB is shown as hex.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string_view>

#include "reports/sqlite_query.h"

namespace heapscope::reports {

enum class QueryFormat { Table, Csv, Json };

// "table", "csv", "json".
std::optional<QueryFormat> parseQueryFormat(std::string_view name);

// Writes to out. The table keeps its rows until end() to size the columns; CSV and JSON stream.
std::unique_ptr<QueryOutput> makeQueryOutput(QueryFormat format, std::ostream& out);

} // namespace heapscope::reports
