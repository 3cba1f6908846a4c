#include <algorithm>
#include <random>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/rundir/run_directory.hpp>

namespace blackbox::rundir {

namespace fs = std::filesystem;

fs::path state_dir(const fs::path& base) {
    return base / ".blackbox";
}

std::string new_run_id(std::int64_t wall_ns) {
    std::random_device random;
    return fmt::format("{}-{:06x}", base::compact_utc(wall_ns), random() & 0xffffffU);
}

namespace {

void make_directories(const fs::path& dir) {
    std::error_code error;
    fs::create_directories(dir, error);
    if (error || !fs::is_directory(dir)) {
        throw Error(fmt::format("cannot create the run directory {}: {}", dir.string(),
                                error ? error.message() : "not a directory"));
    }
}

void write_gitignore(const fs::path& state) {
    auto gitignore = state / ".gitignore";
    std::error_code error;
    if (fs::exists(gitignore, error)) {
        return;
    }
    try {
        base::write_file_atomically(gitignore,
                                    "# Created by blackbox: its runs stay out of git.\n*\n");
    } catch (const Error&) {
        // Cosmetic: the run itself can go on.
    }
}

}  // namespace

fs::path create_run_directory(const fs::path& state, const std::string& id,
                              const fs::path& explicit_dir) {
    fs::path dir = explicit_dir.empty() ? state / "runs" / id : explicit_dir;
    dir = fs::absolute(dir).lexically_normal();
    make_directories(dir);
    if (::access(dir.c_str(), W_OK) != 0) {
        throw Error(fmt::format("cannot write into the run directory {}", dir.string()));
    }
    for (const char* sub : {"journal", "collected", "faulthandler"}) {
        make_directories(dir / sub);
    }
    if (explicit_dir.empty()) {
        write_gitignore(state);
    }
    return dir;
}

void update_latest_link(const fs::path& state, const fs::path& run_dir) {
    std::error_code error;
    fs::create_directories(state, error);
    auto target = run_dir.lexically_relative(fs::absolute(state));
    if (target.empty() || target.native().rfind("..", 0) == 0) {
        target = run_dir;
    }
    auto temporary = state / fmt::format(".latest.{}", ::getpid());
    fs::remove(temporary, error);
    fs::create_symlink(target, temporary, error);
    if (!error) {
        fs::rename(temporary, state / "latest", error);
    }
    if (error) {
        fs::remove(temporary, error);
    }
    write_gitignore(state);
}

std::size_t prune_runs(const fs::path& state, std::size_t keep, const fs::path& current) {
    std::vector<fs::path> others;
    std::error_code error;
    auto current_abs = current.empty() ? fs::path() : fs::absolute(current).lexically_normal();
    bool current_is_here = false;
    for (const auto& entry : fs::directory_iterator(state / "runs", error)) {
        if (!entry.is_directory(error) || entry.is_symlink(error)) {
            continue;
        }
        if (fs::absolute(entry.path()).lexically_normal() == current_abs) {
            current_is_here = true;
        } else {
            others.push_back(entry.path());
        }
    }
    std::size_t room = keep - (current_is_here && keep > 0 ? 1 : 0);
    if (others.size() <= room) {
        return 0;
    }
    // Run ids start with a UTC timestamp, so name order is age order.
    std::sort(others.begin(), others.end());
    std::size_t deleted = 0;
    for (std::size_t i = 0; i + room < others.size(); ++i) {
        if (fs::remove_all(others[i], error) != static_cast<std::uintmax_t>(-1) && !error) {
            ++deleted;
        }
    }
    return deleted;
}

void remove_run_directory(const fs::path& run_dir) {
    std::error_code error;
    fs::remove_all(run_dir, error);
}

}  // namespace blackbox::rundir
