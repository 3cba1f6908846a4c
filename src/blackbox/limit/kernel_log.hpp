#pragma once

// The kernel log as /dev/kmsg hands it out: one record per read(),
//   "<priority>,<sequence>,<microseconds>,<flags>[,...];<message>\n"
// optionally followed by continuation lines " KEY=value\n". A reader opened and moved to the end
// sees only what the kernel logs afterwards: the OOM killer's report of a death we are about to
// explain, and nothing of the machine's history.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/base/unique_fd.hpp>

namespace blackbox::limit {

struct KernelRecord {
    int facility = 0;            // 0: the kernel itself; anything else was written by a process
    int level = 6;               // syslog level, 0 (emerg) to 7 (debug)
    std::uint64_t sequence = 0;  // the record's number in the log
    std::uint64_t usec = 0;      // when, in µs since boot
    std::string message;         // the text, as logged (non-printable bytes as \xNN)
    bool operator==(const KernelRecord&) const = default;
};

// The records in `text`, records as described above, one per line; continuation lines are
// dropped, malformed lines skipped. Never throws but allocation.
std::vector<KernelRecord> parse_kmsg(std::string_view text);

// A non-blocking reader of the records logged from its creation on.
class KernelLog {
  public:
    // Opens `path` read-only and moves to its end. Never throws: when the log cannot be read
    // (dmesg_restrict without CAP_SYSLOG, no /dev/kmsg in a container, Android), readable() is
    // false and problem() says why. A regular file works too (tests): the records appended to it
    // later are read.
    explicit KernelLog(const std::filesystem::path& path = "/dev/kmsg");

    bool readable() const noexcept { return fd_.valid(); }
    const std::string& problem() const noexcept { return problem_; }

    // The records logged since the last call (or the creation); never blocks. Records the kernel
    // overwrote before we read them are skipped. Not thread-safe.
    std::vector<KernelRecord> read_new();

  private:
    base::UniqueFd fd_;
    std::string problem_;
    std::string partial_;  // a file's last line without its newline yet
};

}  // namespace blackbox::limit
