#pragma once

// Reads the memory trail, samples.jsonl, in bounded memory (a day-long run at 20 Hz is ~1.7
// million lines): each good record is handed to its handler in file order. Never fails on bad
// content: a torn last line (the supervisor was killed mid-write), garbage and records of the
// wrong shape are skipped and counted; records of unknown types are ignored (a newer writer).

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/sample/records.hpp>

namespace blackbox::sample {

// Unset handlers skip their records.
struct TrailHandlers {
    std::function<void(const SamplerHeader&)> on_header;
    std::function<void(const Sample&)> on_sample;
    std::function<void(const TopRecord&)> on_top;
    std::function<void(const Note&)> on_note;
};

struct TrailSummary {
    bool readable = true;               // false: the file could not be opened or read
    std::size_t records = 0;            // good records delivered (or skipped for lack of handler)
    std::size_t skipped = 0;            // lines that were not good records
    bool torn_tail = false;             // the last line had no '\n'
    std::vector<std::string> warnings;  // about the first skipped lines (at most 20)
};

// Lines longer than this are skipped unparsed (a sample of 100 processes is ~3 KiB).
inline constexpr std::size_t kMaxTrailLine = 1024 * 1024;

TrailSummary for_each_sample(const std::filesystem::path& path, const TrailHandlers& handlers);

// The same over trail text (tests, or a trail already in memory).
TrailSummary for_each_sample_in(std::string_view content, const TrailHandlers& handlers);

}  // namespace blackbox::sample
