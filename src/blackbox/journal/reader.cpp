#include <fmt/format.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/journal/reader.hpp>

namespace blackbox::journal {

namespace {

void parse_line(std::string_view line, std::size_t number, std::string_view name,
                ReadResult& result) {
    if (line.empty()) {
        return;
    }
    if (line.size() > kMaxRecordBytes) {
        result.warnings.push_back(fmt::format("{}:{}: skipped an oversized record ({} bytes)", name,
                                              number, line.size()));
        return;
    }
    auto record = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (record.is_discarded()) {
        result.warnings.push_back(
            fmt::format("{}:{}: skipped a line that is not JSON", name, number));
        return;
    }
    auto ev = record.find("ev");
    if (!record.is_object() || ev == record.end() || !ev->is_string()) {
        result.warnings.push_back(
            fmt::format("{}:{}: skipped a line that is not a journal record", name, number));
        return;
    }
    result.records.push_back(std::move(record));
}

}  // namespace

ReadResult parse_journal(std::string_view content, std::string_view name) {
    ReadResult result;
    std::size_t number = 0;
    while (!content.empty()) {
        ++number;
        auto newline = content.find('\n');
        if (newline == std::string_view::npos) {
            // A record is complete only with its newline: the writer's single write() puts both.
            result.torn_tail = true;
            result.warnings.push_back(fmt::format("{}:{}: skipped a torn last record ({} bytes)",
                                                  name, number, content.size()));
            break;
        }
        parse_line(content.substr(0, newline), number, name, result);
        content.remove_prefix(newline + 1);
    }
    return result;
}

ReadResult read_journal(const std::filesystem::path& path) {
    auto content = base::read_file(path);
    if (!content) {
        ReadResult result;
        result.warnings.push_back(fmt::format("{}: cannot read", path.string()));
        return result;
    }
    return parse_journal(*content, path.filename().string());
}

}  // namespace blackbox::journal
