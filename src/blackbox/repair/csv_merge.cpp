#include <algorithm>
#include <map>
#include <set>

#include <blackbox/base/utf8_text.hpp>
#include <blackbox/repair/csv_columns.hpp>
#include <blackbox/repair/csv_merge.hpp>
#include <blackbox/repair/csv_table.hpp>

namespace blackbox::repair {

namespace {

const CsvRow kDefaultHeader{"id",      "module", "name",    "file",    "doc",
                            "markers", "status", "message", "duration"};

std::optional<std::size_t> id_column(const CsvRow& header) {
    for (const char* name : {"id", "nodeid"}) {
        auto it = std::find(header.begin(), header.end(), name);
        if (it != header.end()) {
            return static_cast<std::size_t>(it - header.begin());
        }
    }
    return std::nullopt;
}

// One row pytest-csv would write for `test`: its status, message and duration.
struct Row {
    std::string status, message;
    double duration = 0;
};

std::vector<Row> rows_of(const TestEntry& test) {
    const auto& outcome = test.outcome;
    auto call = test.call_s.value_or(0.0);
    if (outcome == "failed") {
        return {{"failed", test.message, call}};
    }
    if (outcome == "error" && test.failed_phase == "setup") {
        return {{"error", test.message, test.setup_s.value_or(0.0)}};
    }
    if (outcome == "error") {  // in teardown, after a call that passed (or was not run)
        return {{"passed", "", call}, {"error", test.message, test.teardown_s.value_or(0.0)}};
    }
    if (outcome == "skipped" || outcome == "not_run") {
        return {{"skipped", test.message, test.setup_s.value_or(0.0)}};
    }
    if (outcome == "xfailed" || outcome == "xpassed") {
        return {{outcome, test.message, call}};
    }
    return {{"passed", "", call}};
}

}  // namespace

Patch merge_csv(const std::vector<std::string>& attempts, const std::vector<TestEntry>& tests,
                const RepairContext& context) {
    CsvRow header;
    std::vector<std::map<std::string, std::string>> rows;  // by column name
    std::string line_end = "\r\n";
    std::set<std::string> listed;
    for (std::size_t i = 0; i < attempts.size(); ++i) {
        auto records = parse_csv(attempts[i]);
        if (!records) {
            return Patch::failure("not a valid CSV file (a quoted field is never closed)");
        }
        if (records->empty()) {
            continue;  // an empty file: pytest-csv writes none without rows
        }
        const CsvRow& columns = records->front();
        auto id = id_column(columns);
        if (!id) {
            return Patch::failure("not a pytest-csv report (no `id` column in the header)");
        }
        if (header.empty()) {
            line_end = std::string(csv_line_end(attempts[i]));
        }
        for (const auto& name : columns) {
            if (std::find(header.begin(), header.end(), name) == header.end()) {
                header.push_back(name);
            }
        }
        for (auto record = records->begin() + 1; record != records->end(); ++record) {
            std::map<std::string, std::string> row;
            for (std::size_t c = 0; c < columns.size() && c < record->size(); ++c) {
                row[columns[c]] = (*record)[c];
            }
            if (record->size() > *id) {
                listed.insert((*record)[*id]);
            }
            rows.push_back(std::move(row));
        }
    }
    if (header.empty()) {
        header = kDefaultHeader;
    }
    Patch patch;
    for (const auto& test : tests) {
        if (!listed.insert(test.nodeid).second) {
            continue;
        }
        for (const auto& written : rows_of(test)) {
            CsvResult result{test.nodeid, written.status, written.message, written.duration};
            std::map<std::string, std::string> row;
            for (const auto& name : header) {
                row[name] = base::valid_utf8(csv_column(name, result, context));
            }
            rows.push_back(std::move(row));
        }
        ++patch.added;
    }
    std::string text = format_csv_row(header, line_end);
    for (const auto& row : rows) {
        CsvRow record;
        for (const auto& name : header) {
            auto found = row.find(name);
            record.push_back(found == row.end() ? std::string() : found->second);
        }
        text += format_csv_row(record, line_end);
    }
    patch.text = std::move(text);
    return patch;
}

std::string order_csv(const std::string& text, const std::vector<std::string>& nodeids) {
    auto records = parse_csv(text);
    if (!records || records->empty()) {
        return text;
    }
    auto id = id_column(records->front());
    if (!id) {
        return text;
    }
    std::map<std::string, std::size_t> rank;
    for (const auto& nodeid : nodeids) {
        rank.emplace(nodeid, rank.size());
    }
    auto position = [&](const CsvRow& row) {
        auto found = row.size() > *id ? rank.find(row[*id]) : rank.end();
        return found == rank.end() ? rank.size() : found->second;
    };
    std::stable_sort(records->begin() + 1, records->end(),
                     [&](const CsvRow& a, const CsvRow& b) { return position(a) < position(b); });
    auto line_end = csv_line_end(text);
    std::string ordered;
    for (const auto& record : *records) {
        ordered += format_csv_row(record, line_end);
    }
    return ordered;
}

}  // namespace blackbox::repair
