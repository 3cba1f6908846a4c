#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <blackbox/supervise/output_relay.hpp>

namespace blackbox::supervise {

namespace {

// write_all that also waits out EAGAIN, for a destination someone else made non-blocking.
bool write_fully(int fd, const char* data, std::size_t size) noexcept {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n >= 0) {
            data += n;
            size -= static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return false;
        }
        pollfd writable{fd, POLLOUT, 0};
        ::poll(&writable, 1, -1);
    }
    return true;
}

}  // namespace

OutputRelay::OutputRelay(base::UniqueFd source, int destination, OutputLog& log) noexcept
    : source_(std::move(source)), destination_(destination), log_(log) {
    int flags = ::fcntl(source_.get(), F_GETFL);
    if (flags >= 0) {
        ::fcntl(source_.get(), F_SETFL, flags | O_NONBLOCK);
    }
}

std::size_t OutputRelay::pump(char& last_byte) noexcept {
    if (!source_) {
        return 0;
    }
    char buffer[65536];
    ssize_t n = ::read(source_.get(), buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
        return 0;
    }
    if (n <= 0) {
        source_.reset();  // EOF, or EIO from a pty master: the stream is over
        return 0;
    }
    const auto size = static_cast<std::size_t>(n);
    log_.write(buffer, size);
    last_byte = buffer[size - 1];
    if (!destination_failed_ && !write_fully(destination_, buffer, size)) {
        destination_failed_ = true;
    }
    return size;
}

}  // namespace blackbox::supervise
