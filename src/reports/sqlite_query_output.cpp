// reports: a query's result as an aligned table, CSV or JSON.
#include "reports/sqlite_query_output.h"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace heapscope::reports {
namespace {

constexpr std::string_view kColumnGap = "  ";

std::string hex(const std::string& bytes) {
    std::string out;
    for (const unsigned char c : bytes)
        out += fmt::format("{:02x}", c);
    return out;
}

// The text of a value in the table and in CSV; REAL in its shortest exact form.
std::string cellText(const SqlValue& value) {
    struct {
        std::string operator()(std::monostate) const { return {}; }
        std::string operator()(std::int64_t v) const { return std::to_string(v); }
        std::string operator()(double v) const { return fmt::format("{}", v); }
        std::string operator()(const std::string& v) const { return v; }
        std::string operator()(const SqlBlob& v) const { return hex(v.bytes); }
    } visitor;
    return std::visit(visitor, value);
}

bool isNumber(const SqlValue& value) {
    return std::holds_alternative<std::int64_t>(value) || std::holds_alternative<double>(value);
}

// Column widths count UTF-8 code points, so names with accents still line up.
std::size_t displayWidth(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

class TableOutput final : public QueryOutput {
public:
    explicit TableOutput(std::ostream& out) : m_out(out) {}

    void columns(const std::vector<std::string>& names) override {
        m_names = names;
        m_widths.clear();
        for (const auto& name : names)
            m_widths.push_back(displayWidth(name));
        m_rightAligned.assign(names.size(), true);
    }

    void row(const std::vector<SqlValue>& values) override {
        std::vector<std::string> cells;
        for (std::size_t i = 0; i < values.size(); ++i) {
            cells.push_back(cellText(values[i]));
            m_widths[i] = std::max(m_widths[i], displayWidth(cells.back()));
            // A column of numbers (and NULLs) is right-aligned, any other left-aligned.
            if (!isNumber(values[i]) && !std::holds_alternative<std::monostate>(values[i]))
                m_rightAligned[i] = false;
        }
        m_rows.push_back(std::move(cells));
    }

    void end() override {
        printLine(m_names);
        std::vector<std::string> rules;
        for (const std::size_t width : m_widths)
            rules.emplace_back(width, '-');
        printLine(rules);
        for (const auto& cells : m_rows)
            printLine(cells);
    }

private:
    void printLine(const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const std::string pad(m_widths[i] - displayWidth(cells[i]), ' ');
            if (i > 0) line += kColumnGap;
            line += m_rightAligned[i] ? pad + cells[i] : cells[i] + pad;
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        m_out << line << '\n';
    }

    std::ostream& m_out;
    std::vector<std::string> m_names;
    std::vector<std::size_t> m_widths;
    std::vector<bool> m_rightAligned;
    std::vector<std::vector<std::string>> m_rows;
};

std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

class CsvOutput final : public QueryOutput {
public:
    explicit CsvOutput(std::ostream& out) : m_out(out) {}
    void columns(const std::vector<std::string>& names) override { printLine(names); }
    void row(const std::vector<SqlValue>& values) override {
        std::vector<std::string> cells;
        for (const auto& value : values)
            cells.push_back(cellText(value));
        printLine(cells);
    }
    void end() override {}

private:
    void printLine(const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i)
            line += (i > 0 ? "," : "") + csvField(cells[i]);
        m_out << line << "\r\n";
    }
    std::ostream& m_out;
};

nlohmann::ordered_json jsonValue(const SqlValue& value) {
    struct {
        nlohmann::ordered_json operator()(std::monostate) const { return nullptr; }
        nlohmann::ordered_json operator()(std::int64_t v) const { return v; }
        nlohmann::ordered_json operator()(double v) const { return v; }
        nlohmann::ordered_json operator()(const std::string& v) const { return v; }
        nlohmann::ordered_json operator()(const SqlBlob& v) const { return hex(v.bytes); }
    } visitor;
    return std::visit(visitor, value);
}

class JsonOutput final : public QueryOutput {
public:
    explicit JsonOutput(std::ostream& out) : m_out(out) {}
    void columns(const std::vector<std::string>& names) override {
        m_names = names;
        m_out << '[';
    }
    void row(const std::vector<SqlValue>& values) override {
        nlohmann::ordered_json object = nlohmann::ordered_json::object();
        for (std::size_t i = 0; i < values.size(); ++i)
            object[m_names[i]] = jsonValue(values[i]);
        // Text from the database need not be valid UTF-8: replace what is not.
        m_out << (m_first ? "\n  " : ",\n  ")
              << object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        m_first = false;
    }
    void end() override { m_out << (m_first ? "]\n" : "\n]\n"); }

private:
    std::ostream& m_out;
    std::vector<std::string> m_names;
    bool m_first = true;
};

} // namespace

std::optional<QueryFormat> parseQueryFormat(std::string_view name) {
    if (name == "table") return QueryFormat::Table;
    if (name == "csv") return QueryFormat::Csv;
    if (name == "json") return QueryFormat::Json;
    return std::nullopt;
}

std::unique_ptr<QueryOutput> makeQueryOutput(QueryFormat format, std::ostream& out) {
    switch (format) {
    case QueryFormat::Csv:
        return std::make_unique<CsvOutput>(out);
    case QueryFormat::Json:
        return std::make_unique<JsonOutput>(out);
    case QueryFormat::Table:
        break;
    }
    return std::make_unique<TableOutput>(out);
}

} // namespace heapscope::reports
