#pragma once

// Our terminal's input copied to the command's pseudo-terminal master, keys as typed. Bytes the
// command does not read yet wait here (the master is non-blocking), so a command that stops
// reading never blocks the supervisor's loop.

#include <cstddef>
#include <string>

namespace blackbox::supervise {

class InputRelay {
  public:
    // Neither descriptor is owned. `destination` must be non-blocking.
    InputRelay(int source, int destination) noexcept : source_(source), destination_(destination) {}

    // Poll `source()` for POLLIN while this holds: the source is open and nothing is pending.
    bool wants_input() const noexcept { return open_ && pending_.empty(); }
    // Poll `destination()` for POLLOUT while this holds.
    bool wants_output() const noexcept { return open_ && !pending_.empty(); }

    int source() const noexcept { return source_; }
    int destination() const noexcept { return destination_; }

    // Reads what the source has and passes it on. EOF or an error on the source (our terminal hung
    // up) ends the relay.
    void read();
    // Writes what is pending. An error other than EAGAIN (EIO: the command's side is closed)
    // drops the rest and ends the relay.
    void write() noexcept;

  private:
    int source_;
    int destination_;
    bool open_ = true;
    std::string pending_;
};

}  // namespace blackbox::supervise
