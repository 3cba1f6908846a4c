#pragma once

// One thread's `thread` block (docs/formats/native-stacks.md): its ids and name, then the
// program counters of its stack, unwound with libunwind from the context a signal interrupted.

#include <cstddef>
#include <sys/types.h>

#include "text_buffer.hpp"

namespace blackbox::native_handler {

inline constexpr int kMaxFrames = 256;
// Room for the longest block: its line, 256 `frame 0x<16 digits> signal` lines and its end.
inline constexpr std::size_t kThreadBlockSize = 128 + kMaxFrames * 32 + 64;

// Progress of an unwind, readable by a handler that interrupts it (a fault inside libunwind):
// the block so far can still be closed and written.
struct UnwindProgress {
    volatile int frames = 0;
};

// Appends the `thread` line of the calling thread `tid`, naming record `record_id`.
void append_thread_line(TextBuffer& out, pid_t tid, long record_id);

// Appends the `frame` lines of the stack the signal interrupted (`signal_context` is the
// handler's ucontext_t), innermost first, at most kMaxFrames of them, then `end thread`.
// `progress` counts the frames written so far.
void append_frames(TextBuffer& out, void* signal_context, UnwindProgress& progress);

// Appends the `end thread` line of a block whose unwind stopped after `frames` frames without
// reaching the stack's end.
void append_truncated_end(TextBuffer& out, int frames);

// Writes a record's tail: the memory map (bounded, through `buffer`), then `end record id=N`,
// with ` answered=M of=K` for a dump (`answered` < 0: a fatal record, without them).
void write_record_tail(int fd, long id, char* buffer, std::size_t buffer_size, long answered = -1,
                       long of = 0);

}  // namespace blackbox::native_handler
