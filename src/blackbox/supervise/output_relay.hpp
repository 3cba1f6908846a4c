#pragma once

// One output stream of the command (a pipe, or the pty master), copied as it arrives to the log
// and to one of our own descriptors. Unbuffered: every chunk read is written out before the next
// read, so nothing read is lost whenever the command dies.

#include <cstddef>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/supervise/output_log.hpp>

namespace blackbox::supervise {

class OutputRelay {
  public:
    // Takes `source` (made non-blocking); writes to `destination` (ours, not owned, left in its
    // blocking mode since it may be shared with the shell) and to `log` (must outlive this).
    OutputRelay(base::UniqueFd source, int destination, OutputLog& log) noexcept;

    // The descriptor to poll for POLLIN; -1 once closed.
    int fd() const noexcept { return source_.get(); }
    bool open() const noexcept { return source_.valid(); }

    // Reads once (up to 64 KiB) and writes what it got to the log first (durability), then to the
    // destination. At end of stream (EOF on a pipe, EIO on a pty master whose slave side is all
    // closed) or on a read error the source is closed. EAGAIN/EINTR are not errors. Returns the
    // number of bytes moved; `last_byte` becomes the last of them when there were any.
    std::size_t pump(char& last_byte) noexcept;

    // True once writing to the destination failed (EPIPE: nobody reads our stdout any more); the
    // stream is still read and logged, so the command never blocks on a full pipe.
    bool destination_failed() const noexcept { return destination_failed_; }

  private:
    base::UniqueFd source_;
    int destination_;
    OutputLog& log_;
    bool destination_failed_ = false;
};

}  // namespace blackbox::supervise
