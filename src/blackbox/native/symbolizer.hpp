#pragma once

// Names the frames of a raw native stack (native_record.hpp) after the process died: each
// address is resolved against the recorded memory map to its object and the address in the
// object's own terms, then named with elfutils' libdw (symbols, separate debug files found by
// build-id or .gnu_debuglink, DWARF lines), C++ names demangled. Never throws; what cannot be
// named keeps its object and address.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/native/native_record.hpp>

namespace blackbox::native {

struct NativeFrame {
    std::uint64_t pc = 0;
    std::string object;           // the mapped file, or the kernel's name of a pseudo-mapping
                                  // ("[vdso]"); "" when the address is in no mapping or in
                                  // anonymous memory, and then `offset` is the address itself
    std::uint64_t offset = 0;     // the address in the object (`addr2line -e object offset`); when
                                  // the object could not be read, the offset in its file
    bool object_deleted = false;  // the file had been deleted when the map was recorded
    std::optional<std::string> function;  // demangled
    std::uint64_t function_offset = 0;    // pc - the function's start, when named
    std::optional<std::string> file;      // the source file, from DWARF line information
    std::optional<int> line;
    bool signal_frame = false;
};

struct NativeThread {
    long tid = 0;
    std::uint64_t pthread = 0;
    std::string name;
    bool crashed = false;  // the thread a fatal signal hit
    bool truncated = false;
    std::vector<NativeFrame> frames;  // innermost first
};

// A record with its frames named.
struct NativeStacks {
    RawRecord::Kind kind = RawRecord::Kind::fatal;
    std::int64_t ns = 0;
    std::optional<int> signal, code;
    std::optional<std::uint64_t> fault_address;
    int threads_in_process = 0, threads_answered = 0;
    std::vector<NativeThread> threads;
};

// Which frames get their source file and line. An object's line information is its DWARF,
// which libdw decompresses whole: for libc with libc6-dbg that is about 80 ms and 16 MiB, and
// an interpreter's with its -dbg package costs more, while the frames whose lines tell what
// crashed are the extensions' (frame_origin.hpp); functions are named in every frame anyway.
enum class SourceLines { extensions, all };
struct SymbolizeOptions {
    SourceLines lines = SourceLines::extensions;
};

// Names every frame of `record`. Objects are opened by the paths of the recorded map, as they
// are now on this machine: a rebuilt or deleted object leaves its frames as object + offset.
NativeStacks symbolize(const RawRecord& record, const SymbolizeOptions& options = {});

}  // namespace blackbox::native
