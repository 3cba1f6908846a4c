#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/supervise/status_bar.hpp>

namespace blackbox::supervise {

namespace {

// The first `columns` code points of `text` (UTF-8), without control characters.
std::string fit(std::string_view text, std::size_t columns) {
    std::string out;
    std::size_t seen = 0;
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        bool continuation = (byte & 0xC0) == 0x80;
        if (!continuation) {
            if (seen == columns) {
                break;
            }
            ++seen;
        }
        out += byte < 0x20 || byte == 0x7F ? ' ' : c;
    }
    return out;
}

}  // namespace

StatusBar::StatusBar(int fd) noexcept : fd_(fd) {
    if (::isatty(fd_) == 0) {
        return;
    }
    // Make room: on the last row, the newline scrolls the screen up one row; then come back.
    write("\n\033[1A");
    reserve();
}

StatusBar::~StatusBar() {
    if (!active()) {
        return;
    }
    // Save the cursor, clear the status row, give the whole screen back (DECSTBM homes the
    // cursor), restore the cursor.
    char bytes[64];
    int size = std::snprintf(bytes, sizeof bytes, "\0337\033[%u;1H\033[2K\033[r\0338", rows_);
    write(std::string_view(bytes, static_cast<std::size_t>(size)));
}

void StatusBar::reserve() noexcept {
    struct winsize size {};
    if (::ioctl(fd_, TIOCGWINSZ, &size) != 0 || size.ws_row < 4 || size.ws_col < 10) {
        rows_ = 0;
        return;
    }
    rows_ = size.ws_row;
    columns_ = size.ws_col;
    char bytes[64];
    int written = std::snprintf(bytes, sizeof bytes, "\0337\033[1;%ur\0338", rows_ - 1);
    write(std::string_view(bytes, static_cast<std::size_t>(written)));
}

void StatusBar::draw(std::string_view text) noexcept {
    if (!active()) {
        return;
    }
    text_size_ = std::min(text.size(), sizeof text_);
    std::memcpy(text_, text.data(), text_size_);
    try {
        std::string bytes = "\0337\033[" + std::to_string(rows_) + ";1H\033[2K\033[7m" +
                            fit(text, columns_) + "\033[0m\0338";
        write(bytes);
    } catch (...) {
        // Out of memory for a status line: skip this redraw.
    }
}

void StatusBar::resize() noexcept {
    if (::isatty(fd_) == 0) {
        return;
    }
    reserve();
    draw(std::string_view(text_, text_size_));
}

void StatusBar::write(std::string_view bytes) noexcept {
    base::write_all(fd_, bytes.data(), bytes.size());
}

}  // namespace blackbox::supervise
