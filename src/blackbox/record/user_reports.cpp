#include <map>
#include <set>
#include <sys/stat.h>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/regular_file.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/record/user_reports.hpp>
#include <blackbox/repair/atomic_rewrite.hpp>
#include <blackbox/repair/repair_context.hpp>
#include <blackbox/repair/run_report_merge.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::record {

namespace {

namespace fs = std::filesystem;

// A report larger than this is not copied or merged (it is said).
constexpr std::size_t kMaxReportBytes = 512ull * 1024 * 1024;

std::optional<journal::FileState> state_of(const std::string& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) {
        return std::nullopt;
    }
    return journal::FileState{
        static_cast<std::int64_t>(status.st_size),
        static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec,
        static_cast<std::int64_t>(status.st_ino)};
}

std::string kind_name(const std::string& kind) {
    if (kind == "junit") {
        return "JUnit XML";
    }
    if (kind == "json-report") {
        return "pytest-json-report";
    }
    if (kind == "html") {
        return "pytest-html";
    }
    if (kind == "csv") {
        return "pytest-csv";
    }
    if (kind == "report-log") {
        return "pytest-reportlog";
    }
    return kind;
}

std::string shown(const std::string& path) {
    return base::terminal_text(path);
}

// The user's reports of the run, each once (the same command names the same files).
std::vector<journal::UserReport> distinct_reports(const postmortem::RunModel& run) {
    std::vector<journal::UserReport> reports;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& report : run.user_reports) {
        if (seen.emplace(report.kind, report.path).second) {
            reports.push_back(report);
        }
    }
    return reports;
}

}  // namespace

std::vector<std::string> keep_attempt_reports(const postmortem::RunModel& run, int attempt,
                                              const base::Directory& run_dir) {
    std::vector<std::string> problems;
    for (const auto& report : run.user_reports) {
        if (report.attempt != attempt) {
            continue;
        }
        auto now = state_of(report.path);
        if (!now || now == report.before) {
            continue;  // this attempt did not write it (it died first, or wrote nothing)
        }
        auto read = base::read_regular_file(report.path, kMaxReportBytes);
        if (!read.text) {
            problems.push_back(
                fmt::format("cannot keep attempt {}'s {} {}: {}", attempt, kind_name(report.kind),
                            shown(report.path),
                            read.error.empty()
                                ? std::string("larger than ") + base::format_size(kMaxReportBytes)
                                : read.error));
            continue;
        }
        try {
            run_dir.subdirectory(rundir::kUserReportsFolder)
                .write_atomically(rundir::user_report_file_name(attempt, report.kind), *read.text);
        } catch (const Error& error) {
            problems.push_back(fmt::format("cannot keep attempt {}'s {} {}: {}", attempt,
                                           kind_name(report.kind), shown(report.path),
                                           error.what()));
        }
    }
    return problems;
}

bool reports_need_completing(const postmortem::RunModel& run) {
    return run.attempts > 1 || !run.pytest_exitstatus;
}

void complete_user_reports(const postmortem::RunModel& run, const base::Directory& run_dir,
                           std::ostream& out) {
    if (run.user_reports.empty() || !reports_need_completing(run)) {
        return;
    }
    const auto kept_folder = run_dir.path() / rundir::kUserReportsFolder;
    const auto context = repair::current_context();
    const std::string why =
        run.attempts > 1 ? fmt::format("pytest ran {} times, each writing it anew", run.attempts)
                         : std::string("pytest did not finish its session");
    for (const auto& listed : distinct_reports(run)) {
        const auto* report = &listed;
        repair::ReportKind kind{};
        if (!repair::mergeable_kind(report->kind, kind)) {
            out << fmt::format(
                "blackbox: warning: {} ({}) cannot be completed: {}, so it holds only what the "
                "last attempt wrote; each attempt's own file is in {}/, and every test is in "
                "blackbox's own reports (--junitxml, --json)\n",
                shown(report->path), kind_name(report->kind), why, shown(kept_folder.string()));
            continue;
        }
        std::vector<std::string> attempts;
        std::string unreadable;
        for (int attempt = 1; attempt <= run.attempts; ++attempt) {
            auto kept = base::read_regular_file(
                kept_folder / rundir::user_report_file_name(attempt, report->kind),
                kMaxReportBytes);
            if (kept.text) {
                attempts.push_back(std::move(*kept.text));
            } else if (!kept.missing) {
                unreadable = kept.error.empty() ? "too large" : kept.error;
            }
        }
        auto merged = unreadable.empty()
                          ? repair::merge_run_report(kind, attempts, run, context,
                                                     fs::path(report->path).filename().string())
                          : repair::RunReportMerge{
                                repair::Patch::failure("a kept attempt's file: " + unreadable), 0};
        if (merged.patch.error.empty() && merged.patch.text) {
            try {
                repair::rewrite_report(report->path, *merged.patch.text);
            } catch (const Error& error) {
                merged.patch.error = error.what();
            }
        }
        if (!merged.patch.error.empty()) {
            out << fmt::format(
                "blackbox: warning: {} ({}) cannot be completed ({}): {}, so it holds only what "
                "the last attempt wrote; each attempt's own file is in {}/\n",
                shown(report->path), kind_name(report->kind),
                base::terminal_text(merged.patch.error), why, shown(kept_folder.string()));
            continue;
        }
        out << fmt::format(
            "blackbox: {} completed ({}): {} test{} from the journals and {} crash{} added to "
            "the {} file{} pytest wrote; each attempt's own file is kept in {}/\n",
            shown(report->path), why, merged.patch.added, merged.patch.added == 1 ? "" : "s",
            merged.crashes, merged.crashes == 1 ? "" : "es", attempts.size(),
            attempts.size() == 1 ? "" : "s", shown(kept_folder.string()));
    }
}

}  // namespace blackbox::record
