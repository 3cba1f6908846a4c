#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blackbox/base/directory.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/live/capture_keeper.hpp>

namespace blackbox::live {

namespace {

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
    if (fd < 0 || ::fstat(fd, &status) != 0 || status.st_size <= 0) {
        return {};
    }
    auto size = static_cast<std::size_t>(status.st_size);
    auto offset = size > max_bytes ? size - max_bytes : 0;
    std::string text(size - offset, '\0');
    auto got = ::pread(fd, text.data(), text.size(), static_cast<off_t>(offset));
    text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return text;
}

}  // namespace

void CaptureKeeper::follow(const RunWatch& watch) {
    for (const auto& process : watch.processes()) {
        if (process.finished || (!process.capture_stdout_fd && !process.capture_stderr_fd)) {
            continue;
        }
        auto stem = process.files.journal.stem().string();
        bool known = std::any_of(kept_.begin(), kept_.end(),
                                 [&](const Kept& kept) { return kept.stem == stem; });
        if (known) {
            continue;
        }
        kept_.push_back({stem, process.files.pid,
                         open_descriptor_of(process.files.pid, process.capture_stdout_fd),
                         open_descriptor_of(process.files.pid, process.capture_stderr_fd)});
    }
}

void CaptureKeeper::save_unfinished(const RunWatch& watch, std::size_t max_bytes) {
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
                base::Directory::open(run_dir_).subdirectory("capture").write_atomically(
                    kept.stem + suffix, text);
            } catch (const std::exception&) {
                // A full disk: the post-mortem goes without the output.
            }
        }
    }
    kept_.clear();
}

}  // namespace blackbox::live
