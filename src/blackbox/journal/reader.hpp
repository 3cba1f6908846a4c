#pragma once

// Reads a journal (docs/formats/journal.md): one JSON object per line. Never fails on bad
// content: a torn last line, garbage, records that are not objects and oversized lines are
// skipped with a warning, and every good record is kept.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace blackbox::journal {

// Lines longer than this are skipped unparsed (a record is normally well under 1 KiB; the
// longest carry bounded failure texts and captured output).
inline constexpr std::size_t kMaxRecordBytes = 4 * 1024 * 1024;

struct ReadResult {
    std::vector<nlohmann::json> records;  // each an object with a string "ev", in file order
    std::vector<std::string> warnings;    // one human-readable line per skipped line
    bool torn_tail = false;               // the last line had no '\n' (the writer died mid-write)
};

// Parses journal text; `name` only labels warnings.
ReadResult parse_journal(std::string_view content, std::string_view name);

// Reads and parses a journal file; an unreadable file gives no records and one warning.
ReadResult read_journal(const std::filesystem::path& path);

}  // namespace blackbox::journal
