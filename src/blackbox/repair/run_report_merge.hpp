#pragma once

// A report the user's own pytest command writes, made to hold every test of a run whose attempts
// each wrote it anew (or, dying, not at all): the attempts' files merged, every test the journals
// know and none of the files holds added, then the crashes put in as `blackbox postprocess`
// puts them (docs/commands/run.md, "Your own reports across restarts").

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>
#include <blackbox/repair/report_file.hpp>

namespace blackbox::repair {

struct RunReportMerge {
    // The report's new text, or `error` (the report is then left as it is). `added` counts the
    // tests added from the journals, `marked` and `already` as for crashes.
    Patch patch;
    std::size_t crashes = 0;  // crashed tests added or marked
};

// `attempts`: the report's text as each attempt that wrote it left it, in attempt order;
// `title` names a page made from nothing (HTML, when no attempt wrote one).
RunReportMerge merge_run_report(ReportKind kind, const std::vector<std::string>& attempts,
                                const postmortem::RunModel& run, const RepairContext& context,
                                std::string_view title = "report.html");

// Whether `kind` ("junit", "json-report", "html", "csv") is a report merge_run_report merges;
// `kind` is set when it is.
bool mergeable_kind(const std::string& name, ReportKind& kind);

}  // namespace blackbox::repair
