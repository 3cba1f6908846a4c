#include <cerrno>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <blackbox/base/error.hpp>
#include <blackbox/supervise/pseudo_terminal.hpp>

namespace blackbox::supervise {

PseudoTerminal open_pseudo_terminal(int model) {
    PseudoTerminal pty;
    pty.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
    if (!pty.master) {
        throw Error(errno_message("cannot open a pseudo-terminal", errno));
    }
    char name[128];
    if (::grantpt(pty.master.get()) != 0 || ::unlockpt(pty.master.get()) != 0 ||
        ::ptsname_r(pty.master.get(), name, sizeof name) != 0) {
        throw Error(errno_message("cannot set up a pseudo-terminal", errno));
    }
    pty.slave.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.slave) {
        throw Error(errno_message(std::string("cannot open ") + name, errno));
    }
    struct termios settings {};
    if (::tcgetattr(model, &settings) == 0) {
        settings.c_oflag &= ~static_cast<tcflag_t>(OPOST);
        ::tcsetattr(pty.slave.get(), TCSANOW, &settings);
    } else {
        // Not a terminal to copy: keep the kernel's defaults, minus output processing as above.
        if (::tcgetattr(pty.slave.get(), &settings) == 0) {
            settings.c_oflag &= ~static_cast<tcflag_t>(OPOST);
            ::tcsetattr(pty.slave.get(), TCSANOW, &settings);
        }
    }
    copy_window_size(model, pty.slave.get());
    return pty;
}

bool copy_window_size(int from, int to, unsigned short reserved_rows) noexcept {
    struct winsize size {};
    if (::ioctl(from, TIOCGWINSZ, &size) != 0) {
        return false;
    }
    if (size.ws_row > reserved_rows) {
        size.ws_row = static_cast<unsigned short>(size.ws_row - reserved_rows);
    }
    return ::ioctl(to, TIOCSWINSZ, &size) == 0;
}

}  // namespace blackbox::supervise
