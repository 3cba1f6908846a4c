#pragma once

// The C stack Python 3.14's faulthandler writes itself after a fatal error, read back: what the
// post-mortem shows when the process left no native record of ours, and what it checks ours
// against when both exist.
//
// The format is CPython 3.14's (Python/traceback.c): faulthandler's fatal error handler
// (Modules/faulthandler.c, faulthandler_dump_c_stack) writes, after the Python tracebacks, a
// blank line and then _Py_DumpStack's section:
//
//   Current thread's C stack trace (most recent call first):
//     Binary file "/usr/bin/python3.14", at _Py_DumpStack+0x42 [0x5b27f7d7147e]
//     Binary file "/usr/lib/libc.so.6", at +0x3def0 [0x77b73226bef0]
//     Binary file "/usr/bin/python3.14" [0x4d5e6f]
//     Binary file '<unknown>' [0x7f0000001234]
//     <truncated rest of calls>
//
// One line per return address of glibc's backtrace() (at most 32: BACKTRACE_SIZE), written by
// _Py_backtrace_symbols_fd from dladdr1(): the object's path as the dynamic loader names it
// (for the program itself, glibc's dladdr gives argv[0]: "python3", ".venv/bin/python");
// "at SYMBOL+0xOFF" with the offset from the nearest dynamic symbol (dladdr knows no .symtab),
// or "at +0xOFF" from the object's load bias (the address in the object) when no symbol covers
// it, or nothing at all when that bias is 0 (a non-PIE executable); '<unknown>' when no object
// holds the address. Addresses are lower-case hexadecimal without leading zeros. Instead of frames
// the section may hold "<system returned no stack trace>" or "<cannot get C stack on this system>".

#include <optional>
#include <string_view>

#include <blackbox/native/symbolizer.hpp>

namespace blackbox::native {

// The last C stack section of `faulthandler_text` (a faulthandler file, possibly holding several
// dumps) as a thread: its frames innermost first, with `pc`, `object` ("" for '<unknown>') and,
// when a symbol is named, `function` (demangled) and `function_offset`. `offset` is the address
// in the object when the section says it for that object (a frame "at +0x…", or a bias of 0),
// and 0 otherwise. `pthread` and `name` come from the "Current thread 0x… [name]" line of the
// same dump, `crashed` from its "Fatal Python error" line, `truncated` from "<truncated rest of
// calls>". nullopt when there is no such section or it holds no frame. Never throws on any text.
std::optional<NativeThread> parse_faulthandler_c_stack(std::string_view faulthandler_text);

}  // namespace blackbox::native
