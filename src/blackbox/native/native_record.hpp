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
    int threads_answered = 0;        // a dump: threads that wrote their stack in time
    std::vector<RawThread> threads;  // the fatal thread, or the dumping thread first
    std::vector<Mapping> maps;
    bool complete = false;  // its `end record` line was written
};

// Every record of a file's text, in order; a torn tail is read as far as it goes (its whole
// thread blocks, its whole map lines). Lines that make no sense are skipped and counted.
struct NativeFile {
    std::vector<RawRecord> records;
    std::size_t skipped_lines = 0;
};
NativeFile parse_native_file(std::string_view text);

}  // namespace blackbox::native
