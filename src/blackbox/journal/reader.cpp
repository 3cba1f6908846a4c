#include <fmt/format.h>

#include <blackbox/journal/line_reader.hpp>
#include <blackbox/journal/reader.hpp>

namespace blackbox::journal {

namespace {

// Turns lines into records, and everything else into warnings.
class RecordParser {
  public:
    RecordParser(std::string_view name, const RecordHandler& on_record, bool need_ev = true)
        : name_(name), on_record_(on_record), need_ev_(need_ev) {}

    LineHandler line_handler() {
        return [this](std::string_view line, std::size_t number) { parse(line, number); };
    }

    OversizedHandler oversized_handler() {
        return [this](std::size_t number, std::size_t size) {
            summary_.warnings.push_back(
                fmt::format("{}:{}: skipped an oversized record ({} bytes)", name_, number, size));
        };
    }

    ReadSummary finish(const LineStats& stats) {
        if (!stats.readable) {
            summary_.warnings.push_back(fmt::format("{}: cannot read", name_));
        }
        if (stats.torn_bytes != 0) {
            summary_.torn_tail = true;
            summary_.warnings.push_back(fmt::format("{}:{}: skipped a torn last record ({} bytes)",
                                                    name_, stats.lines + 1, stats.torn_bytes));
        }
        return std::move(summary_);
    }

  private:
    void parse(std::string_view line, std::size_t number) {
        if (line.empty()) {
            return;
        }
        // simdjson reads past the end of its input: parse a padded copy (its buffer is reused).
        padded_.assign(line);
        padded_.append(simdjson::SIMDJSON_PADDING, ' ');
        simdjson::dom::element root;
        if (parser_.parse(padded_.data(), line.size(), false).get(root) != simdjson::SUCCESS) {
            summary_.warnings.push_back(
                fmt::format("{}:{}: skipped a line that is not JSON", name_, number));
            return;
        }
        simdjson::dom::object object;
        std::string_view ev;
        if (root.get_object().get(object) != simdjson::SUCCESS ||
            (need_ev_ && object.at_key("ev").get_string().get(ev) != simdjson::SUCCESS)) {
            summary_.warnings.push_back(
                fmt::format("{}:{}: skipped a line that is not a journal record", name_, number));
            return;
        }
        ++summary_.records;
        on_record_(Record(object));
    }

    simdjson::dom::parser parser_;
    std::string padded_;
    std::string name_;
    const RecordHandler& on_record_;
    bool need_ev_;
    ReadSummary summary_;
};

}  // namespace

ReadSummary for_each_record(const std::filesystem::path& path, const RecordHandler& on_record) {
    RecordParser parser(path.filename().string(), on_record);
    auto stats =
        read_lines(path, kMaxRecordBytes, parser.line_handler(), parser.oversized_handler());
    return parser.finish(stats);
}

ReadSummary for_each_object(const std::filesystem::path& path, const RecordHandler& on_object) {
    RecordParser parser(path.filename().string(), on_object, /*need_ev=*/false);
    auto stats =
        read_lines(path, kMaxRecordBytes, parser.line_handler(), parser.oversized_handler());
    return parser.finish(stats);
}

ReadSummary for_each_record(std::string_view content, std::string_view name,
                            const RecordHandler& on_record) {
    RecordParser parser(name, on_record);
    auto stats =
        split_lines(content, kMaxRecordBytes, parser.line_handler(), parser.oversized_handler());
    return parser.finish(stats);
}

ReadResult parse_journal(std::string_view content, std::string_view name) {
    ReadResult result;
    auto collect = [&result](const Record& record) { result.records.push_back(record.to_json()); };
    static_cast<ReadSummary&>(result) = for_each_record(content, name, collect);
    return result;
}

}  // namespace blackbox::journal
