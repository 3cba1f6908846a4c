#include <fmt/format.h>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/base/text_scan.hpp>
#include <blackbox/record/plugin_absence.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::record {

namespace fs = std::filesystem;

namespace {

// Whether the journal folder holds a journal of the attempt's main process
// ("<attempt>-main-<pid>.jsonl").
bool has_main_journal(const fs::path& run_dir, int attempt) {
    const std::string prefix = fmt::format("{}-main-", attempt);
    std::error_code error;
    for (fs::directory_iterator it(run_dir / rundir::kJournalFolder, error), end;
         !error && it != end; it.increment(error)) {
        if (it->path().filename().string().starts_with(prefix)) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::optional<std::string> plugin_not_loaded(const fs::path& run_dir, int attempt) {
    if (has_main_journal(run_dir, attempt)) {
        return std::nullopt;
    }
    // pytest stops at once: its words are at the end of the output.
    constexpr std::size_t kTail = 256 * 1024;
    auto output = base::read_regular_file(run_dir / rundir::output_log_name(attempt), kTail, true);
    if (!output.text) {
        return std::nullopt;
    }
    std::optional<std::string> said;
    std::string_view text = *output.text, line;
    while (base::next_line(text, line)) {
        if (line.find("No module named 'pytest_blackbox") != std::string_view::npos) {
            said = std::string(base::trim(line));
        }
    }
    return said;
}

}  // namespace blackbox::record
