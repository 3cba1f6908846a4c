#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <random>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/rundir/run_directory.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::rundir {

namespace fs = std::filesystem;

fs::path state_dir(const fs::path& base) {
    return base / kStateFolder;
}

std::string new_run_id(std::int64_t wall_ns) {
    std::random_device random;
    return fmt::format("{}-{:06x}", base::compact_utc(wall_ns), random() & 0xffffffU);
}

bool is_run_id(std::string_view name) {
    // yyyymmddTHHMMSSZ-<hex>
    constexpr std::size_t kStamp = 16;
    if (name.size() < kStamp + 2 || name[8] != 'T' || name[15] != 'Z' || name[16] != '-') {
        return false;
    }
    for (std::size_t i = 0; i < kStamp - 1; ++i) {
        if (i != 8 && (name[i] < '0' || name[i] > '9')) {
            return false;
        }
    }
    return std::all_of(name.begin() + kStamp + 1, name.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

namespace {

void write_gitignore(const fs::path& state) {
    try {
        auto directory = base::Directory::open(state);
        struct stat status {};
        if (::fstatat(directory.fd(), kGitignoreFile, &status, AT_SYMLINK_NOFOLLOW) == 0) {
            return;
        }
        directory.write_atomically(kGitignoreFile,
                                   "# Created by blackbox: its runs stay out of git.\n*\n");
    } catch (const Error&) {
        // Cosmetic: the run itself can go on.
    }
}

// The parent of a directory to make, made when missing; the directory itself is made here.
base::Directory make_fresh(const fs::path& dir) {
    std::error_code error;
    fs::create_directories(dir.parent_path(), error);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        throw Error(errno_message("cannot create the run directory " + dir.string(), errno));
    }
    struct stat status {};
    if (::lstat(dir.c_str(), &status) == 0 && !S_ISDIR(status.st_mode)) {
        throw Error(
            fmt::format("cannot create the run directory {}: it exists and is not a "
                        "directory",
                        dir.string()));
    }
    return base::Directory::open(dir);
}

}  // namespace

NewRunDirectory create_run_directory(const fs::path& state, const std::string& id,
                                     const fs::path& explicit_dir) {
    fs::path dir = explicit_dir.empty() ? state / kRunsFolder / id : explicit_dir;
    dir = fs::absolute(dir).lexically_normal();
    base::Directory directory;
    if (explicit_dir.empty()) {
        std::error_code error;
        fs::create_directories(dir.parent_path(), error);
        // A new id names a new directory: an existing one is never recorded into.
        if (::mkdir(dir.c_str(), 0755) != 0) {
            throw Error(errno_message("cannot create the run directory " + dir.string(), errno));
        }
        directory = base::Directory::open(dir);
    } else {
        directory = make_fresh(dir);
        if (!directory.empty()) {
            throw Error(
                fmt::format("the run directory {} is not empty: a run is recorded into a "
                            "new or empty directory",
                            dir.string()));
        }
    }
    if (::faccessat(directory.fd(), ".", W_OK, 0) != 0) {
        throw Error(fmt::format("cannot write into the run directory {}", dir.string()));
    }
    hold_run(directory);
    for (const char* sub : {kJournalFolder, kCollectedFolder, kFaulthandlerFolder, kNativeFolder}) {
        directory.subdirectory(sub);
    }
    if (explicit_dir.empty()) {
        write_gitignore(state);
    }
    return {dir, std::move(directory)};
}

bool hold_run(const base::Directory& run) noexcept {
    return run.valid() && ::flock(run.fd(), LOCK_SH | LOCK_NB) == 0;
}

bool run_is_held(const fs::path& run_dir) noexcept {
    base::UniqueFd fd(::open(run_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        return false;
    }
    // An exclusive lock is refused while any recording holds its shared one.
    return ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

void update_latest_link(const fs::path& state, const fs::path& run_dir) {
    std::error_code error;
    fs::create_directories(state, error);
    auto target = run_dir.lexically_relative(fs::absolute(state));
    if (target.empty() || target.native().rfind("..", 0) == 0) {
        target = run_dir;
    }
    try {
        auto directory = base::Directory::open(state);
        auto temporary = fmt::format(".latest.{}", ::getpid());
        ::unlinkat(directory.fd(), temporary.c_str(), 0);
        if (::symlinkat(target.c_str(), directory.fd(), temporary.c_str()) == 0 &&
            ::renameat(directory.fd(), temporary.c_str(), directory.fd(), kLatestLink) != 0) {
            ::unlinkat(directory.fd(), temporary.c_str(), 0);
        }
    } catch (const Error&) {
        // The link is a convenience.
    }
    write_gitignore(state);
}

std::size_t prune_runs(const fs::path& state, std::size_t keep, const fs::path& current) {
    base::Directory runs;
    try {
        runs = base::Directory::open(state).subdirectory(kRunsFolder, false);
    } catch (const Error&) {
        return 0;
    }
    auto current_abs = current.empty() ? fs::path() : fs::absolute(current).lexically_normal();
    bool current_is_here = false;
    std::vector<std::string> others;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(runs.path(), error)) {
        auto name = entry.path().filename().string();
        struct stat status {};
        if (!is_run_id(name) ||
            ::fstatat(runs.fd(), name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(status.st_mode)) {
            continue;
        }
        if ((runs.path() / name).lexically_normal() == current_abs ||
            fs::absolute(entry.path()).lexically_normal() == current_abs) {
            current_is_here = true;
        } else {
            others.push_back(std::move(name));
        }
    }
    std::size_t remaining = others.size() + (current_is_here ? 1 : 0);
    // Run ids start with a UTC timestamp, so name order is age order.
    std::sort(others.begin(), others.end());
    std::size_t deleted = 0;
    for (const auto& name : others) {
        if (remaining <= keep) {
            break;
        }
        base::UniqueFd run(
            ::openat(runs.fd(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        // A run a live process holds stays, whatever its age; the lock taken here keeps a run
        // from being held again while it is being deleted.
        if (!run || ::flock(run.get(), LOCK_EX | LOCK_NB) != 0) {
            continue;
        }
        if (runs.remove_tree(name)) {
            ++deleted;
            --remaining;
        }
    }
    return deleted;
}

void remove_run_directory(const fs::path& run_dir) {
    try {
        auto parent = base::Directory::open(run_dir.parent_path());
        parent.remove_tree(run_dir.filename().string());
    } catch (const Error&) {
        // Nothing was recorded there anyway.
    }
}

}  // namespace blackbox::rundir
