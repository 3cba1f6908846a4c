#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/limit/control_file.hpp>
#include <blackbox/limit/threshold_notifier.hpp>

namespace blackbox::limit {

namespace {

// v2: while memory.high is lifted, usage is checked this often for re-arming.
constexpr int kRearmCheckMs = 100;

base::UniqueFd open_file(const CgroupFs& fs, const std::string& path, int flags) {
    base::UniqueFd fd(::open(fs.resolve(path).c_str(), flags | O_CLOEXEC));
    if (!fd) {
        throw Error(errno_message("cannot open " + path, errno));
    }
    return fd;
}

// The whole content of a control file from offset 0 (also re-arms poll() on a kernfs file).
std::string read_at_start(int fd) {
    char buffer[4096];
    ssize_t n;
    do {
        n = ::pread(fd, buffer, sizeof buffer, 0);
    } while (n < 0 && errno == EINTR);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

std::uint64_t read_number(int fd) {
    return parse_control_number(read_at_start(fd)).value_or(0);
}

// N of the "high N" line of memory.events.
std::uint64_t high_events(int fd) {
    std::string text = read_at_start(fd);
    std::string_view rest = text;
    while (!rest.empty()) {
        auto end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        if (line.substr(0, 5) == "high ") {
            return parse_control_number(line.substr(5)).value_or(0);
        }
    }
    return 0;
}

// Waits for `fd` to show `events` or the stop eventfd to be signalled; true when stopped.
// `timeout_ms` < 0 waits indefinitely.
bool wait(int fd, short events, int stop, int timeout_ms, short& revents) {
    pollfd fds[2] = {{fd, events, 0}, {stop, POLLIN, 0}};
    for (;;) {
        int ready = ::poll(fds, 2, timeout_ms);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0) {
            return true;  // cannot wait any more: stop notifying
        }
        revents = fds[0].revents;
        return fds[1].revents != 0;
    }
}

}  // namespace

ThresholdNotifier::ThresholdNotifier(std::shared_ptr<const CgroupFs> fs, const CgroupDir& group,
                                     std::uint64_t threshold, ThresholdCallback callback)
    : fs_(std::move(fs)), group_(group), crossing_(threshold), callback_(std::move(callback)) {
    stop_.reset(::eventfd(0, EFD_CLOEXEC));
    if (!stop_) {
        throw Error(errno_message("cannot create an eventfd", errno));
    }
    const std::string& dir = group_.directory;
    if (group_.version == 1) {
        event_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        if (!event_) {
            throw Error(errno_message("cannot create an eventfd", errno));
        }
        usage_ = open_file(*fs_, control_file(dir, "memory.usage_in_bytes"), O_RDONLY);
        const std::string registration = std::to_string(event_.get()) + " " +
                                         std::to_string(usage_.get()) + " " +
                                         std::to_string(threshold);
        // The registration names descriptors of this process, so it is written from here, not
        // through the seam (a fake tree simply keeps the text).
        base::UniqueFd control =
            open_file(*fs_, control_file(dir, "cgroup.event_control"), O_WRONLY);
        if (::write(control.get(), registration.data(), registration.size()) < 0) {
            throw Error(errno_message("cannot register a memory threshold in " + dir, errno));
        }
        start([this] { watch_v1(); });
    } else {
        usage_ = open_file(*fs_, control_file(dir, "memory.current"), O_RDONLY);
        event_ = open_file(*fs_, control_file(dir, "memory.events"), O_RDONLY);
        if (int error = fs_->write(control_file(dir, "memory.high"), std::to_string(threshold));
            error != 0) {
            throw Error(errno_message("cannot set memory.high in " + dir, error));
        }
        start([this] { watch_v2(); });
    }
}

template <typename Body>
void ThresholdNotifier::start(Body body) {
    try {
        thread_ = std::thread(body);
    } catch (const std::system_error& error) {
        if (group_.version == 2) {
            fs_->write(control_file(group_.directory, "memory.high"), "max");
        }
        throw Error(std::string("cannot start the threshold notifier: ") + error.what());
    }
}

ThresholdNotifier::~ThresholdNotifier() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(stop_.get(), &one, sizeof one);
    if (thread_.joinable()) {
        thread_.join();
    }
    if (group_.version == 2) {
        fs_->write(control_file(group_.directory, "memory.high"), "max");
    }
}

std::string_view ThresholdNotifier::how() const noexcept {
    return group_.version == 1 ? "cgroup v1 usage threshold" : "cgroup v2 memory.high";
}

bool ThresholdNotifier::report(std::uint64_t usage) noexcept {
    if (!crossing_.rises(usage)) {
        return true;
    }
    try {
        callback_(ThresholdCrossing{base::monotonic_ns(), usage, crossing_.threshold()});
        return true;
    } catch (...) {
        return false;
    }
}

void ThresholdNotifier::watch_v1() noexcept {
    for (;;) {
        short revents = 0;
        if (wait(event_.get(), POLLIN, stop_.get(), -1, revents)) {
            return;
        }
        std::uint64_t count = 0;
        [[maybe_unused]] auto got = ::read(event_.get(), &count, sizeof count);
        // The event comes on crossings either way: only a usage at or above counts as a rise,
        // and a usage below re-arms the detector.
        if (!report(read_number(usage_.get()))) {
            return;
        }
    }
}

void ThresholdNotifier::watch_v2() noexcept {
    const std::string high = control_file(group_.directory, "memory.high");
    const std::uint64_t threshold = crossing_.threshold();
    const std::uint64_t rearm_below = threshold / 10 * 9;
    std::uint64_t seen = high_events(event_.get());
    bool armed = true;
    for (;;) {
        short revents = 0;
        // kernfs reports a change as POLLPRI | POLLERR; POLLIN is always set for it.
        if (wait(event_.get(), POLLPRI, stop_.get(), armed ? -1 : kRearmCheckMs, revents)) {
            return;
        }
        if (armed && (revents & (POLLPRI | POLLERR)) != 0) {
            const std::uint64_t now = high_events(event_.get());
            if (now > seen) {
                seen = now;
                fs_->write(high, "max");
                armed = false;
                // The event says usage went above the threshold, even if it is below again now.
                if (!report(std::max(read_number(usage_.get()), threshold))) {
                    return;
                }
            }
        } else if (!armed) {
            const std::uint64_t usage = read_number(usage_.get());
            if (usage < rearm_below && fs_->write(high, std::to_string(threshold)) == 0) {
                crossing_.rises(usage);  // below: the next rise counts
                seen = high_events(event_.get());
                armed = true;
            }
        }
    }
}

}  // namespace blackbox::limit
