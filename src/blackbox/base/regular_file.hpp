#pragma once

// Opening and reading files of a directory that is not trusted, such as a run directory someone
// handed over: a symbolic link in the last component is never followed, a FIFO or a device is
// never waited on (the open does not block, and only a regular file is kept), and what is read
// is bounded.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include <blackbox/base/unique_fd.hpp>

namespace blackbox::base {

struct OpenedFile {
    UniqueFd fd;           // a regular file open for blocking reads; invalid when refused
    bool missing = false;  // refused because there is no such file (nothing to say)
    std::string error;     // why it was refused: "a symbolic link", "a FIFO, not a regular file"…
};

// Opens `path` for reading (O_NOFOLLOW|O_NONBLOCK, then fstat: only S_ISREG is kept, and
// O_NONBLOCK is cleared). Never throws, never blocks.
OpenedFile open_regular_file(const std::filesystem::path& path) noexcept;

// "a FIFO", "a symbolic link", "a directory"… for a file type of stat(2)'s st_mode.
std::string describe_file_type(unsigned mode);

struct FileText {
    std::optional<std::string> text;  // the content (or, with keep_tail, its last max_bytes)
    bool missing = false;             // no such file
    std::string error;                // otherwise why there is no text
    bool cut = false;                 // the file was longer than max_bytes (keep_tail only)
};

// Reads the regular file `path` (as open_regular_file opens it) up to `max_bytes`. A longer file
// is refused, or with `keep_tail` its last `max_bytes` are kept (`cut` set).
FileText read_regular_file(const std::filesystem::path& path, std::size_t max_bytes,
                           bool keep_tail = false);

}  // namespace blackbox::base
