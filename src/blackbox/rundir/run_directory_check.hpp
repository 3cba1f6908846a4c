#pragma once

// A run directory is untrusted input (someone may hand one over, or a test may have planted
// things in its own): before it is read, every entry the formats name (docs/formats/
// run-directory.md) must be what they say, a regular file or a real directory. A symbolic link,
// a FIFO or a device in their place is refused with an error that names it, rather than read
// through, or waited on forever.

#include <filesystem>

namespace blackbox::rundir {

// Exit status for "this is not a run directory".
inline constexpr int kNotARunExitCode = 2;

// Throws blackbox::Error (exit code kNotARunExitCode) naming the first entry of `dir` that is
// not of its documented type, or a folder that cannot be listed. Missing entries are fine.
void check_run_directory(const std::filesystem::path& dir);

}  // namespace blackbox::rundir
