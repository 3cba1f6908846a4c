#pragma once

// What tells one process apart from a later one that got the same pid: the boot it runs in
// (/proc/sys/kernel/random/boot_id) and its start time, /proc/<pid>/stat field 22 (clock ticks
// after boot on the boot clock, which counts suspended time). A pid is reused only after its
// process is gone, so a pid whose start time is the recorded one, in the recorded boot, is the
// same process. The plugin records both in each journal's `start` record and the supervisor in
// supervisor.jsonl; `blackbox show` checks them to tell a run still going on from a dead one.

#include <cstdint>
#include <optional>
#include <string>

namespace blackbox::sample {

// This boot's id ("3f9c…", without the newline); nullopt where /proc hides it.
std::optional<std::string> boot_id();

// A start time of /proc/<pid>/stat (clock ticks after boot) on the CLOCK_MONOTONIC axis of the
// journals and samples: the boot clock minus the time the machine spent suspended, as it is now
// (a suspend after the process started makes it look that much earlier).
std::int64_t start_monotonic_ns(std::uint64_t starttime_ticks);

}  // namespace blackbox::sample
