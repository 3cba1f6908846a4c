#include "thread_stack.hpp"

#include <cstdint>
#include <pthread.h>

#include "handler_state.hpp"
#include "raw_io.hpp"

#define UNW_LOCAL_ONLY
#include <libunwind.h>

namespace blackbox::native_handler {

namespace {

void append_end(TextBuffer& out, int frames, bool truncated) {
    out.text("end thread frames=");
    out.decimal(frames);
    out.text(truncated ? " truncated\n" : "\n");
}

}  // namespace

void append_thread_line(TextBuffer& out, pid_t tid, long record_id) {
    char name[16];
    std::size_t name_size = thread_name(tid, name);
    out.text("thread tid=");
    out.decimal(tid);
    out.text(" pthread=");
    out.hex(static_cast<std::uint64_t>(::pthread_self()));
    out.text(" name=");
    out.text(name, name_size);
    out.text(" record=");
    out.decimal(record_id);
    out.text("\n");
}

void append_frames(TextBuffer& out, void* signal_context, UnwindProgress& progress) {
    progress.frames = 0;
    unw_cursor_t cursor;
    // On x86_64 (and every Linux target of libunwind) unw_context_t is the ucontext_t a
    // SA_SIGINFO handler receives: libunwind starts from the interrupted registers.
    if (unw_init_local2(&cursor, static_cast<unw_context_t*>(signal_context),
                        UNW_INIT_SIGNAL_FRAME) != 0) {
        append_end(out, 0, false);
        return;
    }
    int frames = 0;
    bool truncated = false;
    do {
        unw_word_t pc = 0;
        if (unw_get_reg(&cursor, UNW_REG_IP, &pc) != 0 || pc == 0) {
            break;
        }
        if (frames == kMaxFrames) {
            truncated = true;
            break;
        }
        // Every libunwind call of a frame before its line: a fault inside one leaves whole
        // lines behind (UnwindProgress).
        const bool signal_frame = unw_is_signal_frame(&cursor) > 0;
        out.text("frame ");
        out.hex(pc);
        out.text(signal_frame ? " signal\n" : "\n");
        progress.frames = ++frames;
    } while (unw_step(&cursor) > 0);
    append_end(out, frames, truncated);
}

void append_truncated_end(TextBuffer& out, int frames) {
    append_end(out, frames, true);
}

void write_record_tail(int fd, long id, char* buffer, std::size_t buffer_size, long answered,
                       long of) {
    write_all(fd, "maps\n", 5);
    copy_maps(fd, kMapsLimit, buffer, buffer_size);
    char storage[128];
    TextBuffer end(storage, sizeof storage);
    end.text("end maps\nend record id=");
    end.decimal(id);
    if (answered >= 0) {
        end.text(" answered=");
        end.decimal(answered);
        end.text(" of=");
        end.decimal(of);
    }
    end.text("\n");
    write_all(fd, end.data(), end.size());
}

}  // namespace blackbox::native_handler
