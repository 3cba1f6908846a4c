#include <array>
#include <cerrno>
#include <string_view>
#include <sys/stat.h>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/regular_file.hpp>
#include <blackbox/rundir/run_directory_check.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::rundir {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void refuse(const fs::path& dir, const std::string& what) {
    throw Error(fmt::format("{}: refused: {} (a run directory holds only regular files and "
                            "directories; nothing there is followed or waited on)",
                            dir.string(), what),
                kNotARunExitCode);
}

// lstat(2) of `path`; false when it does not exist.
bool status_of(const fs::path& path, struct stat& status) {
    return ::lstat(path.c_str(), &status) == 0;
}

void expect_file(const fs::path& dir, const fs::path& relative) {
    struct stat status {};
    if (status_of(dir / relative, status) && !S_ISREG(status.st_mode)) {
        refuse(dir, fmt::format("{} is {}, not a regular file", relative.string(),
                                base::describe_file_type(status.st_mode)));
    }
}

// Checks the folder `name` and, in it, every entry whose name ends in one of `suffixes`.
void expect_folder(const fs::path& dir, std::string_view name,
                   std::initializer_list<std::string_view> suffixes) {
    const fs::path folder = dir / name;
    struct stat status {};
    if (!status_of(folder, status)) {
        return;
    }
    if (!S_ISDIR(status.st_mode)) {
        refuse(dir, fmt::format("{}/ is {}, not a directory", name,
                                base::describe_file_type(status.st_mode)));
    }
    std::error_code error;
    fs::directory_iterator entries(folder, error);
    if (error) {
        refuse(dir, fmt::format("{}/ cannot be read: {}", name, error.message()));
    }
    for (auto it = entries; it != fs::directory_iterator(); it.increment(error)) {
        auto entry = it->path().filename().string();
        for (auto suffix : suffixes) {
            if (entry.size() > suffix.size() && entry.ends_with(suffix)) {
                expect_file(dir, fs::path(name) / entry);
                break;
            }
        }
    }
    if (error) {
        refuse(dir, fmt::format("{}/ cannot be read: {}", name, error.message()));
    }
}

}  // namespace

void check_run_directory(const fs::path& dir) {
    for (const char* file : {rundir::kRunFile, rundir::kEndFile, rundir::kAttemptsFile,
                             rundir::kSamplesFile, rundir::kSupervisorLogFile}) {
        expect_file(dir, file);
    }
    expect_folder(dir, rundir::kJournalFolder, {".jsonl"});
    expect_folder(dir, rundir::kLostFolder, {".lost"});
    expect_folder(dir, rundir::kCollectedFolder, {".jsonl"});
    expect_folder(dir, rundir::kFaulthandlerFolder, {".txt"});
    expect_folder(dir, rundir::kNativeFolder, {".txt"});
    expect_folder(dir, rundir::kCaptureFolder, {".stdout", ".stderr", ".log"});
    expect_folder(dir, rundir::kResumeFolder, {".txt"});
    expect_folder(dir, rundir::kUserReportsFolder, {".xml", ".json", ".html", ".csv", ".jsonl"});
}

}  // namespace blackbox::rundir
