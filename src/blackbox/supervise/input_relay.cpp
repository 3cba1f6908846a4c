#include <cerrno>
#include <unistd.h>

#include <blackbox/supervise/input_relay.hpp>

namespace blackbox::supervise {

void InputRelay::read() {
    if (!open_) {
        return;
    }
    char buffer[4096];
    ssize_t n = ::read(source_, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
    }
    if (n <= 0) {
        open_ = false;
        return;
    }
    pending_.append(buffer, static_cast<std::size_t>(n));
    write();
}

void InputRelay::write() noexcept {
    while (open_ && !pending_.empty()) {
        ssize_t n = ::write(destination_, pending_.data(), pending_.size());
        if (n > 0) {
            pending_.erase(0, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        open_ = false;
        pending_.clear();
    }
}

}  // namespace blackbox::supervise
