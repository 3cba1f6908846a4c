#pragma once

// The system calls the handlers make, each async-signal-safe: no allocation, no lock, no stdio.

#include <cstddef>
#include <cstdint>
#include <sys/types.h>

namespace blackbox::native_handler {

// Writes all of `size` bytes (a short write or EINTR continues); false on an error.
bool write_all(int fd, const char* data, std::size_t size);

// CLOCK_MONOTONIC in nanoseconds, as the journal's `ns`.
std::int64_t monotonic_ns();

pid_t current_tid();

// The calling thread's comm (at most 15 bytes), each byte outside printable ASCII, and the
// space, written as '?': the word a `thread` line carries. Empty when /proc cannot tell.
// Returns its length; `out` holds at least 16 bytes.
std::size_t thread_name(pid_t tid, char* out);

// Copies /proc/self/maps to `fd`, at most `limit` bytes and only whole lines, through
// `buffer`; the copy ends with a newline. False when the maps could not be opened.
bool copy_maps(int fd, std::size_t limit, char* buffer, std::size_t buffer_size);

// The ids of the process's threads (/proc/self/task, read with getdents64): at most
// `capacity` into `tids`; returns how many threads there are (possibly more than it stored),
// or -1 when the folder cannot be read. `buffer` holds the directory entries as they are read.
long list_threads(pid_t* tids, std::size_t capacity, char* buffer, std::size_t buffer_size);

// Sleeps about one millisecond (nanosleep).
void sleep_a_millisecond();

}  // namespace blackbox::native_handler
