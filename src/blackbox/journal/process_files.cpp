#include <algorithm>
#include <charconv>
#include <system_error>
#include <tuple>

#include <blackbox/journal/process_files.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::journal {

namespace {

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
    Number value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

// "gw12" sorts after "gw2".
long worker_number(const std::string& role) {
    auto digits = role.find_first_of("0123456789");
    if (digits == std::string::npos) {
        return -1;
    }
    return parse_number<long>(std::string_view(role).substr(digits)).value_or(-1);
}

}  // namespace

std::optional<ProcessFiles> parse_stem(const std::string& stem) {
    auto first = stem.find('-');
    auto last = stem.rfind('-');
    if (first == std::string::npos || last == first) {
        return std::nullopt;
    }
    auto attempt = parse_number<int>(std::string_view(stem).substr(0, first));
    auto pid = parse_number<long>(std::string_view(stem).substr(last + 1));
    std::string role = stem.substr(first + 1, last - first - 1);
    if (!attempt || !pid || role.empty()) {
        return std::nullopt;
    }
    ProcessFiles files;
    files.attempt = *attempt;
    files.role = std::move(role);
    files.pid = *pid;
    return files;
}

std::vector<ProcessFiles> find_process_files(const std::filesystem::path& run_dir,
                                             std::string* error_out) {
    std::vector<ProcessFiles> found;
    std::error_code error;
    const auto directory = run_dir / rundir::kJournalFolder;
    auto status = std::filesystem::symlink_status(directory, error);
    if (error || !std::filesystem::is_directory(status)) {
        if (error_out != nullptr && status.type() != std::filesystem::file_type::not_found) {
            *error_out = std::filesystem::is_symlink(status)
                             ? "journal/ is a symbolic link (not followed)"
                         : error ? "journal/: " + error.message()
                                 : "journal/ is not a directory";
        }
        return found;
    }
    std::filesystem::directory_iterator entries(directory, error);
    if (error && error_out != nullptr) {
        *error_out = "journal/: " + error.message();
    }
    for (const auto& entry : entries) {
        const auto& path = entry.path();
        if (path.extension() != ".jsonl") {
            continue;
        }
        auto stem = path.stem().string();
        auto files = parse_stem(stem);
        if (!files) {
            continue;
        }
        files->journal = path;
        files->collected = run_dir / rundir::kCollectedFolder / (stem + ".jsonl");
        files->faulthandler = run_dir / rundir::kFaulthandlerFolder / (stem + ".txt");
        files->native = run_dir / rundir::kNativeFolder / (stem + ".txt");
        files->lost = run_dir / rundir::kLostFolder / (stem + ".lost");
        found.push_back(std::move(*files));
    }
    std::sort(found.begin(), found.end(), [](const ProcessFiles& a, const ProcessFiles& b) {
        return std::make_tuple(a.attempt, a.is_worker(), worker_number(a.role), a.role, a.pid) <
               std::make_tuple(b.attempt, b.is_worker(), worker_number(b.role), b.role, b.pid);
    });
    return found;
}

}  // namespace blackbox::journal
