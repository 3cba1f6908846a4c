#pragma once

// Plain `pytest --blackbox` (no supervisor to print a post-mortem): faulthandler writes a fatal
// error's Python stacks into the run directory only, where bare pytest would have shown them
// on the terminal. The fatal handler copies what faulthandler wrote to the terminal as well,
// then one line saying where the post-mortem is. Everything here is async-signal-safe.

#include <sys/types.h>

namespace blackbox::native_handler {

// Remembers where faulthandler writes (`source`, an O_APPEND file), the terminal's descriptor,
// and the line to add. Returns 0 or -errno (-EBADF, -EINVAL for a note over 1 KiB).
int set_terminal_echo(int source, int terminal, const char* note);

// The size of faulthandler's file before it writes (-1 without an echo).
off_t echo_start();

// Copies faulthandler's file from `from` to its end onto the terminal, then the note.
void echo_finish(off_t from);

}  // namespace blackbox::native_handler
