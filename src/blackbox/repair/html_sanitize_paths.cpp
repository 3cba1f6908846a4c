#include <algorithm>
#include <system_error>

#include <blackbox/base/error.hpp>
#include <blackbox/repair/atomic_rewrite.hpp>
#include <blackbox/repair/html_jsonblob.hpp>
#include <blackbox/repair/html_sanitize_paths.hpp>

namespace blackbox::repair {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> html_files_under(const fs::path& dir, std::vector<std::string>& errors) {
    std::vector<fs::path> files;
    std::error_code error;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (it->path().extension() == ".html" && it->is_regular_file(error)) {
            files.push_back(it->path());
        }
    }
    if (error) {
        errors.push_back(dir.string() + ": " + error.message());
    }
    std::sort(files.begin(), files.end());
    return files;
}

void sanitize_file(const fs::path& path, SanitizeReport& report) {
    try {
        auto content = read_report(path);
        if (!content) {
            report.errors.push_back(path.string() + ": no such file");
            return;
        }
        auto result = sanitize_jsonblob(*content);
        switch (result.outcome) {
            case SanitizeOutcome::unchanged:
            case SanitizeOutcome::no_jsonblob:
                ++report.unchanged;
                return;
            case SanitizeOutcome::invalid:
                report.errors.push_back(path.string() + ": " + result.error);
                return;
            case SanitizeOutcome::sanitized:
                rewrite_report(path, result.text);
                report.sanitized.push_back(path);
                return;
        }
    } catch (const Error& error) {
        report.errors.push_back(path.string() + ": " + error.what());
    }
}

}  // namespace

SanitizeReport sanitize_html_paths(const std::vector<fs::path>& paths) {
    SanitizeReport report;
    for (const auto& path : paths) {
        std::error_code error;
        if (fs::is_directory(path, error)) {
            for (const auto& file : html_files_under(path, report.errors)) {
                sanitize_file(file, report);
            }
        } else {
            sanitize_file(path, report);
        }
    }
    return report;
}

}  // namespace blackbox::repair
