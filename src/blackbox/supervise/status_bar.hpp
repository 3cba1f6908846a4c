#pragma once

// A status line on the bottom row of our terminal. The rows above become a scroll region that
// holds the command's output (the command's pseudo-terminal is told it has one row less), so
// redrawing the status never garbles what the command prints: it is drawn with the cursor
// saved and restored, between chunks of the command's output.

#include <cstddef>
#include <string_view>

namespace blackbox::supervise {

class StatusBar {
  public:
    // Takes the bottom row of the terminal on `fd`. Inactive (every call a no-op) when `fd` is
    // not a terminal or has fewer than 4 rows.
    explicit StatusBar(int fd) noexcept;
    // Gives the row back: the scroll region spans the whole screen again, the row is cleared.
    ~StatusBar();
    StatusBar(const StatusBar&) = delete;
    StatusBar& operator=(const StatusBar&) = delete;

    bool active() const noexcept { return rows_ != 0; }
    // Columns available to the text.
    std::size_t columns() const noexcept { return columns_; }

    // Replaces the text (cut at the width; no newline in it).
    void draw(std::string_view text) noexcept;
    // The terminal was resized: take the new bottom row and redraw the last text.
    void resize() noexcept;

  private:
    void reserve() noexcept;
    void write(std::string_view bytes) noexcept;

    int fd_;
    unsigned rows_ = 0;
    std::size_t columns_ = 0;
    char text_[512] = {};
    std::size_t text_size_ = 0;
};

}  // namespace blackbox::supervise
