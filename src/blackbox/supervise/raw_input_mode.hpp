#pragma once

// Our own terminal in raw input mode while the command runs on its pseudo-terminal: every key
// (Ctrl-C, Ctrl-D, arrows) goes unchanged to the command's terminal, whose line discipline then
// behaves as our terminal would have (Ctrl-C becomes SIGINT for pytest, pdb gets its keys).

#include <termios.h>

namespace blackbox::supervise {

class RawInputMode {
  public:
    // Switches terminal `fd` to raw input: no line editing, echo, signal keys, flow control or
    // CR/NL translation; reads return bytes as they are typed. Output processing is kept, so
    // "\n" still starts a new line on screen for whatever the supervisor prints meanwhile.
    // When `fd` is not a terminal or cannot be changed, nothing happens (active() is false).
    explicit RawInputMode(int fd) noexcept;
    // Restores the settings saved by the constructor (also when unwinding an exception).
    ~RawInputMode();
    RawInputMode(const RawInputMode&) = delete;
    RawInputMode& operator=(const RawInputMode&) = delete;

    bool active() const noexcept { return active_; }

  private:
    int fd_;
    bool active_ = false;
    struct termios saved_ {};
};

}  // namespace blackbox::supervise
