#include "terminal_echo.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "raw_io.hpp"

namespace blackbox::native_handler {

namespace {

constexpr std::size_t kNoteLimit = 1024;

std::atomic<int> source_fd{-1};
std::atomic<int> terminal_fd{-1};
char note_text[kNoteLimit];
std::atomic<std::size_t> note_size{0};
alignas(16) char copy_buffer[4096];

}  // namespace

int set_terminal_echo(int source, int terminal, const char* note) {
    if (::fcntl(source, F_GETFD) < 0 || ::fcntl(terminal, F_GETFD) < 0) {
        return -EBADF;
    }
    const std::size_t size = note != nullptr ? std::strlen(note) : 0;
    if (size > kNoteLimit) {
        return -EINVAL;
    }
    terminal_fd.store(-1);  // no echo while the note changes
    std::memcpy(note_text, note, size);
    note_size.store(size);
    source_fd.store(source);
    terminal_fd.store(terminal);
    return 0;
}

off_t echo_start() {
    const int source = source_fd.load();
    if (terminal_fd.load() < 0 || source < 0) {
        return -1;
    }
    return ::lseek(source, 0, SEEK_END);
}

void echo_finish(off_t from) {
    const int terminal = terminal_fd.load();
    const int source = source_fd.load();
    if (terminal < 0) {
        return;
    }
    if (from >= 0 && source >= 0) {
        for (;;) {
            const ssize_t got = ::pread(source, copy_buffer, sizeof copy_buffer, from);
            if (got <= 0 || !write_all(terminal, copy_buffer, static_cast<std::size_t>(got))) {
                break;
            }
            from += got;
        }
    }
    write_all(terminal, note_text, note_size.load());
}

}  // namespace blackbox::native_handler
