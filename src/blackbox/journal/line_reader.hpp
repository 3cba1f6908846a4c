#pragma once

// Streams the '\n'-terminated lines of a file in bounded memory: a journal of a 100,000-test
// run is tens of megabytes and is never held whole. Lines longer than a bound are reported and
// skipped without being stored; an unterminated last line is a torn tail. The file is one of a
// run directory, which is not trusted: only a regular file is read, never through a symbolic
// link, and a FIFO or a device is refused without waiting on it.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace blackbox::journal {

struct LineStats {
    bool readable = true;        // false: the file could not be opened or read
    bool missing = false;        // … because there is no such file
    std::string error;           // … and why, when not readable
    std::size_t lines = 0;       // complete lines seen (including oversized ones)
    std::size_t torn_bytes = 0;  // bytes after the last '\n' (0: no torn tail)
};

// Calls `on_line(line, number)` for each complete line of at most `max_line` bytes (without
// its '\n'), and `on_oversized(number, size)` for longer ones.
using LineHandler = std::function<void(std::string_view line, std::size_t number)>;
using OversizedHandler = std::function<void(std::size_t number, std::size_t size)>;

LineStats read_lines(const std::filesystem::path& path, std::size_t max_line,
                     const LineHandler& on_line, const OversizedHandler& on_oversized);

LineStats split_lines(std::string_view content, std::size_t max_line, const LineHandler& on_line,
                      const OversizedHandler& on_oversized);

}  // namespace blackbox::journal
