#pragma once

// The names of the files and folders of a run directory and of the state folder around it
// (docs/formats/run-directory.md), each said once: every writer and reader names them here.
// Header only, on nothing but the standard library, so that the lowest folders (journal/) may
// name their files too.

#include <string>

namespace blackbox::rundir {

// The state folder `.blackbox/` and what it holds beside the runs.
inline constexpr const char* kStateFolder = ".blackbox";
inline constexpr const char* kRunsFolder = "runs";             // runs/<id>/
inline constexpr const char* kLatestLink = "latest";           // -> runs/<newest run>
inline constexpr const char* kGitignoreFile = ".gitignore";    // "*"
inline constexpr const char* kMetricsDatabase = "metrics.db";  // the default metrics database

// The files of a run directory.
inline constexpr const char* kRunFile = "run.json";                    // the run: command, context
inline constexpr const char* kEndFile = "end.json";                    // how the command ended
inline constexpr const char* kAttemptsFile = "attempts.json";          // each attempt's wait status
inline constexpr const char* kPostmortemFile = "postmortem.json";      // `blackbox show --json`
inline constexpr const char* kSamplesFile = "samples.jsonl";           // the memory trail
inline constexpr const char* kSupervisorLogFile = "supervisor.jsonl";  // the watchdogs' verdicts
inline constexpr const char* kReportHtmlFile = "report.html";          // the HTML report
inline constexpr const char* kCrashedTestsLogFile = "crashed_tests.jsonl";  // pytest-abort's log
inline constexpr const char* kReserveFile = ".reserve";  // room kept for the last files

// The folders of a run directory; a process's files in them are named by its stem
// (`<attempt>-<role>-<pid>`, journal/process_files.hpp).
inline constexpr const char* kJournalFolder = "journal";            // <stem>.jsonl
inline constexpr const char* kCollectedFolder = "collected";        // <stem>.jsonl
inline constexpr const char* kFaulthandlerFolder = "faulthandler";  // <stem>.txt
inline constexpr const char* kNativeFolder = "native";              // <stem>.txt: native stacks
inline constexpr const char* kLostFolder = "lost";                  // <stem>.lost
inline constexpr const char* kCaptureFolder = "capture";            // <stem>.stdout, .stderr, .log
inline constexpr const char* kResumeFolder = "resume";              // <attempt>.txt
// Each attempt's own copy of a report the user's command wrote: <attempt>-<kind>.<extension>.
inline constexpr const char* kUserReportsFolder = "reports";

// The output log of an attempt: `output.log` for the first, `output-<n>.log` after it.
inline std::string output_log_name(int attempt) {
    return attempt == 1 ? std::string("output.log") : "output-" + std::to_string(attempt) + ".log";
}

// The copy of the report of kind `kind` ("junit", "json-report", "html", "csv", "report-log")
// that attempt `attempt` wrote (in kUserReportsFolder).
inline std::string user_report_file_name(int attempt, const std::string& kind) {
    std::string extension = kind == "junit"         ? ".xml"
                            : kind == "json-report" ? ".json"
                            : kind == "html"        ? ".html"
                            : kind == "csv"         ? ".csv"
                                                    : ".jsonl";
    return std::to_string(attempt) + "-" + kind + extension;
}

// The node ids the plugin skips on attempt `attempt` (in kResumeFolder): "<attempt>.txt" for
// the command's first pytest session (0-based `session`), "<attempt>-<session + 1>.txt" for a
// later one of a command that ran pytest more than once.
inline std::string resume_file_name(int attempt, int session = 0) {
    return std::to_string(attempt) +
           (session > 0 ? "-" + std::to_string(session + 1) : std::string()) + ".txt";
}

}  // namespace blackbox::rundir
