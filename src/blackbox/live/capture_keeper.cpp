#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/directory.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/live/capture_keeper.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::live {

namespace {

// Bounds what one message may carry: a stem, two stream names and their descriptors.
constexpr std::size_t kMaxMessage = 256;
constexpr std::size_t kMaxFds = 4;
// Bounds how many processes a run's mailbox accepts (a stranger may write to it too).
constexpr std::size_t kMaxKept = 4096;

base::UniqueFd open_descriptor_of(long pid, std::optional<int> fd) {
    if (!fd) {
        return {};
    }
    auto path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(*fd);
    return base::UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
}

// The last `max_bytes` of the file behind `fd`.
std::string tail_of(int fd, std::size_t max_bytes) {
    struct stat status {};
    if (fd < 0 || ::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size <= 0) {
        return {};
    }
    auto size = static_cast<std::size_t>(status.st_size);
    auto offset = size > max_bytes ? size - max_bytes : 0;
    std::string text(size - offset, '\0');
    auto got = ::pread(fd, text.data(), text.size(), static_cast<off_t>(offset));
    text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return text;
}

// The pid a stem `<attempt>-<role>-<pid>` names, or -1 when it is not a stem.
long stem_pid(std::string_view stem) {
    auto dash = stem.rfind('-');
    if (dash == std::string_view::npos || stem.find('-') == dash || dash + 1 == stem.size()) {
        return -1;
    }
    long pid = -1;
    auto digits = stem.substr(dash + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (error != std::errc() || end != digits.data() + digits.size() || pid <= 0) {
        return -1;
    }
    bool printable = std::all_of(stem.begin(), stem.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-' || c == '_';
    });
    return printable ? pid : -1;
}

std::string random_name() {
    std::random_device device;
    return fmt::format("blackbox-capture-{}-{:08x}{:08x}", ::getpid(), device(), device());
}

}  // namespace

CaptureKeeper::CaptureKeeper(std::filesystem::path run_dir) : run_dir_(std::move(run_dir)) {
    base::UniqueFd socket(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket) {
        return;
    }
    int on = 1;
    // The sender's credentials come with each message: a stem is believed only from its pid.
    if (::setsockopt(socket.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) {
        return;
    }
    auto name = random_name();
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    // An abstract name (leading NUL): nothing in the file system, gone with the socket.
    std::memcpy(address.sun_path + 1, name.data(), name.size());
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
        return;
    }
    mailbox_ = std::move(socket);
    address_ = "@" + name;
}

CaptureKeeper::Kept* CaptureKeeper::find(const std::string& stem) {
    auto it = std::find_if(kept_.begin(), kept_.end(),
                           [&](const Kept& kept) { return kept.stem == stem; });
    return it == kept_.end() ? nullptr : &*it;
}

void CaptureKeeper::receive() {
    if (!mailbox_) {
        return;
    }
    for (;;) {
        std::array<char, kMaxMessage> payload{};
        alignas(cmsghdr)
            std::array<char, CMSG_SPACE(sizeof(int) * kMaxFds) + CMSG_SPACE(sizeof(ucred))>
                control{};
        iovec io{payload.data(), payload.size()};
        msghdr message{};
        message.msg_iov = &io;
        message.msg_iovlen = 1;
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        auto got = ::recvmsg(mailbox_.get(), &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;  // EAGAIN: the mailbox is empty
        }
        std::vector<base::UniqueFd> fds;  // closed unless kept
        std::optional<ucred> sender;
        for (auto* header = CMSG_FIRSTHDR(&message); header != nullptr;
             header = CMSG_NXTHDR(&message, header)) {
            if (header->cmsg_level != SOL_SOCKET) {
                continue;
            }
            if (header->cmsg_type == SCM_RIGHTS) {
                auto count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (std::size_t i = 0; i < count; ++i) {
                    int fd = -1;
                    std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof fd);
                    fds.emplace_back(fd);
                }
            } else if (header->cmsg_type == SCM_CREDENTIALS &&
                       header->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
                ucred credentials{};
                std::memcpy(&credentials, CMSG_DATA(header), sizeof credentials);
                sender = credentials;
            }
        }
        // "<stem> <stream>...": one stream name ("stdout", "stderr") per descriptor, in order.
        std::string_view text(payload.data(), static_cast<std::size_t>(got));
        auto space = text.find(' ');
        std::string stem(text.substr(0, space));
        long pid = stem_pid(stem);
        if ((message.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || !sender || pid <= 0 ||
            sender->pid != pid || sender->uid != ::geteuid() || find(stem) != nullptr ||
            kept_.size() >= kMaxKept || space == std::string_view::npos) {
            continue;
        }
        Kept kept{stem, pid, {}, {}};
        std::size_t index = 0;
        for (auto rest = text.substr(space + 1); !rest.empty() && index < fds.size(); ++index) {
            auto next = rest.find(' ');
            auto stream = rest.substr(0, next);
            rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
            struct stat status {};
            if (::fstat(fds[index].get(), &status) != 0 || !S_ISREG(status.st_mode)) {
                continue;
            }
            if (stream == "stdout") {
                kept.stdout_fd = std::move(fds[index]);
            } else if (stream == "stderr") {
                kept.stderr_fd = std::move(fds[index]);
            }
        }
        kept_.push_back(std::move(kept));
    }
}

void CaptureKeeper::follow(const RunWatch& watch) {
    receive();
    for (const auto& process : watch.processes()) {
        if (process.finished || (!process.capture_stdout_fd && !process.capture_stderr_fd)) {
            continue;
        }
        auto stem = process.files.journal.stem().string();
        if (find(stem) != nullptr) {
            continue;
        }
        kept_.push_back({stem, process.files.pid,
                         open_descriptor_of(process.files.pid, process.capture_stdout_fd),
                         open_descriptor_of(process.files.pid, process.capture_stderr_fd)});
    }
}

void CaptureKeeper::save_unfinished(const RunWatch& watch, std::size_t max_bytes) {
    receive();  // a process may have handed its files over after the last tick
    for (auto& kept : kept_) {
        bool unfinished = std::any_of(
            watch.processes().begin(), watch.processes().end(), [&](const LiveProcess& process) {
                return process.files.journal.stem().string() == kept.stem && !process.finished;
            });
        if (!unfinished) {
            continue;
        }
        for (const auto& [fd, suffix] : {std::pair{kept.stdout_fd.get(), ".stdout"},
                                         std::pair{kept.stderr_fd.get(), ".stderr"}}) {
            auto text = tail_of(fd, max_bytes);
            if (text.empty()) {
                continue;
            }
            try {
                // Never through a link planted in the run directory (capture/ included).
                base::Directory::open(run_dir_)
                    .subdirectory(rundir::kCaptureFolder)
                    .write_atomically(kept.stem + suffix, text);
            } catch (const std::exception&) {
                // A full disk: the post-mortem goes without the output.
            }
        }
    }
    kept_.clear();
}

}  // namespace blackbox::live
