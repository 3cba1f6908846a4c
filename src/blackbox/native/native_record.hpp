#pragma once

// What a process's native stack file holds (docs/formats/native-stacks.md): records of raw
// program counters, each with the memory map of the process at that moment. Parsed here,
// named by the symbolizer (symbolizer.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blackbox::native {

// One thread's raw stack: program counters, innermost first.
struct RawThread {
    long tid = 0;
    std::uint64_t pthread = 0;  // pthread_t: faulthandler's "Thread 0x…"
    std::string name;           // the thread's comm
    std::vector<std::uint64_t> pcs;
    std::vector<bool> signal_frames;  // parallel to pcs: a signal trampoline's frame
    bool truncated = false;           // more frames than were written
};

// One mapping of the recorded /proc/self/maps.
struct Mapping {
    std::uint64_t start = 0, end = 0, file_offset = 0;
    std::string permissions;  // "r-xp"
    std::string path;         // the mapped file, "[vdso]", or "" for anonymous memory
    std::uint32_t device_major = 0, device_minor = 0;  // the file's device, as maps prints it
    std::uint64_t inode = 0;                           // 0 for anonymous and pseudo mappings
    bool deleted = false;  // the file had been deleted (maps' " (deleted)", not kept in `path`)
};

// One record: the stack of a fatal signal's thread, or every thread's on request.
struct RawRecord {
    enum class Kind { fatal, dump };
    Kind kind = Kind::fatal;
    long id = 0;
    long pid = 0;
    std::int64_t ns = 0;  // CLOCK_MONOTONIC when it was written
    std::optional<int> signal, code;
    std::optional<std::uint64_t> fault_address;
    int threads_in_process = 0;      // a dump: threads the process had
    int threads_answered = 0;        // a dump: threads that wrote their stack in time (from its
                                     // `end record`: 0 while that line is missing)
    std::vector<RawThread> threads;  // the fatal thread, or the dumping thread first
    std::vector<Mapping> maps;
    bool complete = false;  // its `end record` line was written
};

// Every record of a file's text, in the order their `record` lines were written; a torn tail is
// read as far as it goes (its whole thread blocks, its whole map lines). A thread block joins the
// record its `record=` names, wherever it lands in the file (the threads of a dump write their
// blocks while other records may be written, and a thread that answers after the dump gave up
// on it writes its block after the record's end); a block without its `end thread` line is
// dropped.
// Lines that make no sense (unknown, malformed, not in a record, a last line without its newline)
// are skipped and counted. Never throws on any input.
struct NativeFile {
    std::vector<RawRecord> records;
    std::size_t skipped_lines = 0;
};
NativeFile parse_native_file(std::string_view text);

// Most frames kept of one thread (the writer writes at most 256); more mark it truncated.
inline constexpr std::size_t kMaxFramesKept = 1024;

// One line of /proc/<pid>/maps ("start-end perms offset major:minor inode   path"), the path
// being everything after the inode's blanks (spaces included) less a " (deleted)" suffix; nullopt
// when the line is not one.
std::optional<Mapping> parse_maps_line(std::string_view line);

}  // namespace blackbox::native
