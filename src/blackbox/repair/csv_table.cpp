#include <blackbox/repair/csv_table.hpp>

namespace blackbox::repair {

std::optional<std::vector<CsvRow>> parse_csv(std::string_view text) {
    std::vector<CsvRow> rows;
    CsvRow row;
    std::string field;
    bool in_quotes = false;
    bool row_started = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_quotes) {
            if (c != '"') {
                field += c;
            } else if (i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else {
                in_quotes = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                in_quotes = true;
                row_started = true;
                break;
            case ',':
                row.push_back(std::move(field));
                field.clear();
                row_started = true;
                break;
            case '\r':
                break;  // part of CRLF; a lone CR inside a record is dropped, as csv.reader does
            case '\n':
                if (row_started || !field.empty()) {
                    row.push_back(std::move(field));
                    rows.push_back(std::move(row));
                }
                field.clear();
                row.clear();
                row_started = false;
                break;
            default:
                field += c;
                row_started = true;
        }
    }
    if (in_quotes) {
        return std::nullopt;
    }
    if (row_started || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string format_csv_row(const CsvRow& row, std::string_view line_end) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
        if (i > 0) {
            line += ',';
        }
        const auto& field = row[i];
        if (field.find_first_of(",\"\r\n") == std::string::npos) {
            line += field;
            continue;
        }
        line += '"';
        for (char c : field) {
            line += c;
            if (c == '"') {
                line += '"';
            }
        }
        line += '"';
    }
    line += line_end;
    return line;
}

std::string_view csv_line_end(std::string_view text) {
    auto newline = text.find('\n');
    if (newline != std::string_view::npos && (newline == 0 || text[newline - 1] != '\r')) {
        return "\n";
    }
    return "\r\n";
}

}  // namespace blackbox::repair
