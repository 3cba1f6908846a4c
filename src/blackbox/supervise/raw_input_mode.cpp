#include <blackbox/supervise/raw_input_mode.hpp>

namespace blackbox::supervise {

RawInputMode::RawInputMode(int fd) noexcept : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) {
        return;
    }
    struct termios raw = saved_;
    // cfmakeraw() without its output and character-size changes.
    raw.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                                          ICRNL | IXON | IXOFF);
    raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(fd_, TCSADRAIN, &raw) == 0;
}

RawInputMode::~RawInputMode() {
    if (active_) {
        ::tcsetattr(fd_, TCSADRAIN, &saved_);
    }
}

}  // namespace blackbox::supervise
