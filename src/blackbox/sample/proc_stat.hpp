#pragma once

// /proc/<pid>/stat: the one line that gives, in a single cheap read, what the machine-wide scan
// needs of every process (name, parent, resident memory) and what tells two processes with the
// same pid apart (start time). proc(5) numbers its fields from 1; so do the comments here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace blackbox::sample {

struct ProcStat {
    pid_t pid = 0;
    std::string comm;             // field 2 without its parentheses; may hold spaces and ')'
    char state = '?';             // field 3: R, S, D, Z, ...
    pid_t ppid = 0;               // field 4
    pid_t pgrp = 0;               // field 5, its process group
    pid_t session = 0;            // field 6, its session
    std::uint64_t flags = 0;      // field 9, the kernel's PF_* flags (PF_EXITING: 0x4)
    std::uint64_t utime = 0;      // field 14, clock ticks
    std::uint64_t stime = 0;      // field 15, clock ticks
    std::uint64_t threads = 0;    // field 20, num_threads
    std::uint64_t starttime = 0;  // field 22, clock ticks after boot
    std::uint64_t rss_pages = 0;  // field 24, resident pages (the same figure as statm's 2nd)
};

// Parses the line; nullopt when it is malformed or truncated. comm ends at the *last* ')', as
// a process may name itself "a) b".
std::optional<ProcStat> parse_proc_stat(std::string_view text);

}  // namespace blackbox::sample
