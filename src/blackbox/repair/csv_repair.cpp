#include <algorithm>

#include <blackbox/base/utf8_text.hpp>
#include <blackbox/repair/csv_columns.hpp>
#include <blackbox/repair/csv_repair.hpp>
#include <blackbox/repair/csv_table.hpp>

namespace blackbox::repair {

using base::valid_utf8;

namespace {

const CsvRow kDefaultHeader{"id",      "module", "name",    "file",    "doc",
                            "markers", "status", "message", "duration"};

std::optional<std::size_t> column(const CsvRow& header, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        auto it = std::find(header.begin(), header.end(), name);
        if (it != header.end()) {
            return static_cast<std::size_t>(it - header.begin());
        }
    }
    return std::nullopt;
}

bool is_failure(const std::string& status) {
    return status == "failed" || status == "error";
}

}  // namespace

Patch repair_csv(const std::optional<std::string>& existing, const std::vector<CrashEntry>& crashes,
                 const RepairContext& context) {
    std::string text = existing.value_or("");
    auto rows = parse_csv(text);
    if (!rows) {
        return Patch::failure("not a valid CSV file (a quoted field is never closed)");
    }
    auto line_end = std::string(csv_line_end(text));
    std::string appended;
    if (rows->empty()) {
        appended = format_csv_row(kDefaultHeader, line_end);
        rows->push_back(kDefaultHeader);
    }
    const CsvRow header = rows->front();
    auto id_column = column(header, {"id", "nodeid"});
    if (!id_column) {
        return Patch::failure("not a pytest-csv report (no `id` column in the header)");
    }
    auto status_column = column(header, {"status", "outcome"});

    Patch patch;
    for (const auto& crash : crashes) {
        bool listed = false, failed = false;
        for (auto row = rows->begin() + 1; row != rows->end(); ++row) {
            if (row->size() > *id_column && (*row)[*id_column] == crash.nodeid) {
                listed = true;
                failed = failed || !status_column ||
                         (row->size() > *status_column && is_failure((*row)[*status_column]));
            }
        }
        if (failed) {
            ++patch.already;
            continue;
        }
        auto entry = listed ? after_reported_call(crash) : crash;
        CsvResult result{entry.nodeid, std::string(crash_outcome(entry)), crash_message(entry),
                         crash_duration(entry)};
        CsvRow row;
        for (const auto& name : header) {
            row.push_back(valid_utf8(csv_column(name, result, context)));
        }
        appended += format_csv_row(row, line_end);
        rows->push_back(std::move(row));
        ++patch.added;
    }
    if (appended.empty()) {
        return patch;
    }
    if (!text.empty() && text.back() != '\n') {
        text += line_end;  // the last record had no line ending: end it before appending
    }
    patch.text = text + appended;
    return patch;
}

}  // namespace blackbox::repair
