#include <fmt/format.h>

#include <blackbox/journal/line_reader.hpp>
#include <blackbox/journal/reader.hpp>

namespace blackbox::journal {

namespace {

constexpr std::size_t kMaxLineWarnings = 20;

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
            warn(fmt::format("{}:{}: skipped an oversized record ({} bytes)", name_, number, size));
        };
    }

    ReadSummary finish(const LineStats& stats) {
        if (!stats.readable) {
            summary_.warnings.push_back(
                stats.error.empty() ? fmt::format("{}: cannot read", name_)
                                    : fmt::format("{}: cannot read: {}", name_, stats.error));
        }
        if (dropped_warnings_ != 0) {
            summary_.warnings.push_back(fmt::format(
                "{}: {} more lines skipped (not listed one by one)", name_, dropped_warnings_));
        }
        if (stats.torn_bytes != 0) {
            summary_.torn_tail = true;
            summary_.warnings.push_back(fmt::format("{}:{}: skipped a torn last record ({} bytes)",
                                                    name_, stats.lines + 1, stats.torn_bytes));
        }
        return std::move(summary_);
    }

  private:
    // A crafted journal of a million garbage lines must not become a million warnings.
    void warn(std::string text) {
        if (summary_.warnings.size() < kMaxLineWarnings) {
            summary_.warnings.push_back(std::move(text));
        } else {
            ++dropped_warnings_;
        }
    }

    void parse(std::string_view line, std::size_t number) {
        if (line.empty()) {
            return;
        }
        // simdjson reads past the end of its input: parse a padded copy (its buffer is reused).
        padded_.assign(line);
        padded_.append(simdjson::SIMDJSON_PADDING, ' ');
        simdjson::dom::element root;
        if (parser_.parse(padded_.data(), line.size(), false).get(root) != simdjson::SUCCESS) {
            warn(fmt::format("{}:{}: skipped a line that is not JSON", name_, number));
            return;
        }
        simdjson::dom::object object;
        std::string_view ev;
        if (root.get_object().get(object) != simdjson::SUCCESS ||
            (need_ev_ && object.at_key("ev").get_string().get(ev) != simdjson::SUCCESS)) {
            warn(fmt::format("{}:{}: skipped a line that is not a journal record", name_, number));
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
    std::size_t dropped_warnings_ = 0;
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
