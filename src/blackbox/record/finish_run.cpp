#include <cstdlib>
#include <cstring>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/record/finish_run.hpp>
#include <blackbox/record/metrics_storage.hpp>
#include <blackbox/record/user_reports.hpp>
#include <blackbox/report/crashed_tests_log.hpp>
#include <blackbox/report/json_view.hpp>
#include <blackbox/report/text_view.hpp>
#include <blackbox/rundir/end_file.hpp>
#include <blackbox/rundir/json_document.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::record {

namespace {

namespace fs = std::filesystem;

// Sends the finished run to a `blackbox serve`. A server that is down or refuses it is only
// said: the run stays on disk for `blackbox push`, and the exit status is the run's own.
void push_to_server(const postmortem::RunModel& model, push::PushOptions push, std::ostream& out) {
    if (push.token.empty()) {
        if (const char* from_env = std::getenv("BLACKBOX_TOKEN")) {
            push.token = from_env;
        }
    }
    auto result = push::push_run(model, push);
    if (result.ok) {
        out << "blackbox: pushed to " << base::terminal_text(push.url) << ": "
            << base::terminal_text(result.message) << "\n";
    } else {
        out << "blackbox: warning: the run was not pushed (" << base::terminal_text(result.message)
            << "); push it later with `blackbox push " << model.dir.string() << " --server "
            << push.url << "`\n";
    }
}

// Writes end.json; a failure (a full disk) is said and recorded, never fatal: the run's result
// stands.
void write_end(const base::Directory& run_dir, const rundir::EndRecord& end,
               std::vector<WriteFailure>& failures, std::ostream& out) {
    if (int error = rundir::write_end_file(run_dir, end); error != 0) {
        note_write_failure(run_dir, rundir::kEndFile, error, failures, out);
    }
}

// The exit status when the run directory cannot be read back: pytest's own, from its wait
// status alone.
int exit_code_of(const RecordingResult& result) {
    if (result.attempts.empty()) {
        return kRecorderError;
    }
    const auto& status = result.attempts.back().status;
    if (status.signal()) {
        return 128 + *status.signal();
    }
    return status.code().value_or(1);
}

// pytest-abort's crashed-tests log: in the run directory always, and appended to the user's own
// log when its variable is set (the xdist controller's plugin already logged worker crashes as
// they happened; a crash is never logged twice). A log that cannot be written is only said.
void write_crash_logs(const postmortem::RunModel& model, const fs::path& run_dir,
                      std::ostream& out) {
    try {
        report::write_crashed_tests_log(model, run_dir / rundir::kCrashedTestsLogFile);
    } catch (const Error& error) {
        out << "blackbox: " << base::terminal_text(error.what(), base::Newlines::keep) << "\n";
    }
    for (const char* variable : {"PYTEST_ABORT_CRASHED_TESTS_LOG", "JAX_ROCM_CRASHED_TESTS_LOG"}) {
        const char* path = std::getenv(variable);
        if (path == nullptr || *path == '\0') {
            continue;
        }
        try {
            report::append_crashed_tests_log(model, path);
        } catch (const Error& error) {
            out << "blackbox: " << base::terminal_text(error.what(), base::Newlines::keep) << "\n";
        }
    }
}

}  // namespace

void note_write_failure(const base::Directory& run_dir, const char* name, int error,
                        std::vector<WriteFailure>& failures, std::ostream& out) {
    out << "blackbox: warning: cannot write "
        << base::terminal_text((run_dir.path() / name).string()) << ": " << std::strerror(error)
        << "\n";
    add_write_failure(failures, name, base::WriteLoss{base::monotonic_ns(), error, 0});
}

int finish_run(const FinishOptions& options, RecordingResult result,
               std::vector<WriteFailure> failures, std::ostream& out) {
    const base::Directory& directory = *options.directory;
    std::erase_if(result.write_failures, [](const WriteFailure& failure) {
        return failure.file == rundir::kAttemptsFile;
    });
    write_attempts(directory, result);
    for (auto& failure : result.write_failures) {
        add_write_failure(failures, failure.file, failure.loss, failure.unit);
    }

    const auto ended_wall = base::wall_ns();
    rundir::EndRecord end;
    end.ended = base::iso8601_utc(ended_wall);
    end.ended_ns = base::monotonic_ns();
    end.duration_s = static_cast<double>(ended_wall - options.started_wall_ns) / 1e9;
    end.forwarded_signal = result.forwarded_signal;
    end.attempts = attempt_records(result);
    if (result.plugin_not_loaded) {
        // Nothing was recorded, and pytest's failure was the injection's: no post-mortem, no
        // metrics, the recorder's status.
        end.exit_code = kRecorderError;
        write_end(directory, end, failures, out);
        const int attempt = result.attempts.empty() ? 1 : result.attempts.back().attempt;
        out << "blackbox: error: pytest could not load the blackbox plugin ("
            << base::terminal_text(*result.plugin_not_loaded)
            << "): the command's Python ignores PYTHONPATH (python -I or -E, or a tool that drops "
               "it) while PYTEST_PLUGINS reached pytest, so pytest stopped before collecting; "
               "nothing was recorded. Run pytest without -I/-E, let PYTHONPATH through (tox: "
               "passenv), or install pytest-blackbox into that Python; its output is in "
            << base::terminal_text((options.run_dir / rundir::output_log_name(attempt)).string())
            << "\n";
        return kRecorderError;
    }
    write_end(directory, end, failures, out);
    end.write_failures = write_failure_records(failures);
    // The model is built from what the supervisor knows, not only from what it could write.
    postmortem::KnownEnd known{end, end.attempts};
    postmortem::RunModel model;
    try {
        model = postmortem::load_run(options.run_dir, &known);
    } catch (const Error& error) {
        // A run directory the command made unreadable (or hostile): said, and pytest's own
        // status stands.
        out << "blackbox: " << base::terminal_text(error.what(), base::Newlines::keep) << "\n";
        return exit_code_of(result);
    }
    int exit_code = postmortem::run_exit_code(model);
    end.exit_code = exit_code;
    end.write_failures = write_failure_records(failures);
    write_end(directory, end, failures, out);
    model.blackbox_exit_code = exit_code;
    if (int error = rundir::write_json_document(directory, rundir::kPostmortemFile,
                                                report::postmortem_json(model));
        error != 0) {
        note_write_failure(directory, rundir::kPostmortemFile, error, failures, out);
    }
    // The user's own reports first: should one share its path with one of blackbox's, the
    // last attempt's file is read before blackbox's replaces it, and blackbox's stands.
    if (reports_need_completing(model)) {
        for (const auto& problem : keep_attempt_reports(model, model.attempts, directory)) {
            out << "blackbox: warning: " << problem << "\n";
        }
        complete_user_reports(model, directory, out);
    }
    auto reports = options.reports;
    reports.html_in_run_directory = true;
    report::write_reports(model, reports, out);
    write_crash_logs(model, options.run_dir, out);

    report::TextOptions text;
    text.color = options.color;
    text.relative_to = options.cwd;
    text.html_report = fs::exists(options.run_dir / rundir::kReportHtmlFile);
    out << "\n" << report::postmortem_text(model, text);
    if (options.database) {
        store_metrics(model, *options.database, options.cwd, out);
    }
    if (!options.push.url.empty()) {
        push_to_server(model, options.push, out);
    }
    return exit_code;
}

}  // namespace blackbox::record
