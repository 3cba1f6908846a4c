#pragma once

// Reads a journal (docs/formats/journal.md): one JSON object per line. Never fails on bad
// content: a torn last line, garbage, records that are not objects and oversized lines are
// skipped with a warning, and every good record is kept.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/journal/record.hpp>

namespace blackbox::journal {

// Lines longer than this are skipped unparsed (a record is normally well under 1 KiB; the
// longest carry bounded failure texts and captured output).
inline constexpr std::size_t kMaxRecordBytes = 4 * 1024 * 1024;

struct ReadSummary {
    std::vector<std::string> warnings;  // a line per skipped line (the first 20, then a count)
    bool torn_tail = false;             // the last line had no '\n' (the writer died mid-write)
    std::size_t records = 0;            // good records delivered
};

// Called with each good record: an object with a string "ev", in file order.
using RecordHandler = std::function<void(const Record& record)>;

// Streams the journal file at `path` in bounded memory. An unreadable file gives no records
// and one warning.
ReadSummary for_each_record(const std::filesystem::path& path, const RecordHandler& on_record);

// Streams a file of JSON objects one per line that are not journal records (no "ev" needed),
// such as the collected items, with the same tolerance.
ReadSummary for_each_object(const std::filesystem::path& path, const RecordHandler& on_object);

// The same over journal text; `name` only labels warnings.
ReadSummary for_each_record(std::string_view content, std::string_view name,
                            const RecordHandler& on_record);

struct ReadResult : ReadSummary {
    std::vector<nlohmann::json> records;
};

// Every good record of journal text, collected as JSON values (for tests and small files).
ReadResult parse_journal(std::string_view content, std::string_view name);

}  // namespace blackbox::journal
