#pragma once

// One report on disk repaired: read it (or find it missing), run the format's repair, write
// the result atomically. Failures are values here: one bad report must not stop the others.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/repair/crash_entry.hpp>
#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>

namespace blackbox::repair {

enum class ReportKind { json_report, junit, csv, html };

// "JSON report", "JUnit XML", "CSV report", "HTML report".
std::string_view report_kind_name(ReportKind kind);

struct ReportOutcome {
    std::filesystem::path path;
    bool created = false;  // the file did not exist (or was empty) and was written
    bool written = false;  // the file was (re)written
    Patch patch;           // counts; patch.error set when the report was left untouched
};

// Repairs the report at `path`. A missing or empty file is created (with its directories). A
// report that cannot be read, understood or written is left as it was, with patch.error set.
ReportOutcome repair_report_file(ReportKind kind, const std::filesystem::path& path,
                                 const std::vector<CrashEntry>& crashes,
                                 const RepairContext& context);

}  // namespace blackbox::repair
