#include <blackbox/base/error.hpp>
#include <blackbox/repair/atomic_rewrite.hpp>
#include <blackbox/repair/csv_repair.hpp>
#include <blackbox/repair/html_repair.hpp>
#include <blackbox/repair/json_report_repair.hpp>
#include <blackbox/repair/junit_repair.hpp>
#include <blackbox/repair/report_file.hpp>
#include <blackbox/repair/text_trim.hpp>

namespace blackbox::repair {

std::string_view report_kind_name(ReportKind kind) {
    switch (kind) {
        case ReportKind::json_report:
            return "JSON report";
        case ReportKind::junit:
            return "JUnit XML";
        case ReportKind::csv:
            return "CSV report";
        case ReportKind::html:
            return "HTML report";
    }
    return "report";
}

ReportOutcome repair_report_file(ReportKind kind, const std::filesystem::path& path,
                                 const std::vector<CrashEntry>& crashes,
                                 const RepairContext& context) {
    ReportOutcome outcome;
    outcome.path = path;
    std::optional<std::string> existing;
    try {
        existing = read_report(path);
    } catch (const Error& error) {
        outcome.patch = Patch::failure(error.what());
        return outcome;
    }
    // A file the writer created but never filled (it died first) is as good as missing.
    if (existing && trimmed(*existing).empty()) {
        existing.reset();
    }
    outcome.created = !existing;
    switch (kind) {
        case ReportKind::json_report:
            outcome.patch = repair_json_report(existing, crashes, context);
            break;
        case ReportKind::junit:
            outcome.patch = repair_junit(existing, crashes, context);
            break;
        case ReportKind::csv:
            outcome.patch = repair_csv(existing, crashes, context);
            break;
        case ReportKind::html:
            outcome.patch = repair_html(existing, crashes, context, path.filename().string());
            break;
    }
    if (!outcome.patch.error.empty() || !outcome.patch.text) {
        outcome.created = false;
        return outcome;
    }
    try {
        rewrite_report(path, *outcome.patch.text);
        outcome.written = true;
    } catch (const Error& error) {
        outcome.patch.error = error.what();
        outcome.created = false;
    }
    return outcome;
}

}  // namespace blackbox::repair
