#pragma once

// Which of a run's tests a report shows: a report written anew by each attempt of a restarted
// run, or by a session that died, shows fewer than the run ran, and adding the crashes alone
// would leave it looking complete.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/repair/report_file.hpp>

namespace blackbox::repair {

// How many of `nodeids` the report `text` of `kind` does not show (JUnit: by classname and name
// as pytest derives them; pytest-json-report, pytest-csv, pytest-html: by node id); nullopt when
// the text is not a report of that kind.
std::optional<std::size_t> tests_missing(ReportKind kind, const std::string& text,
                                         const std::vector<std::string>& nodeids);

}  // namespace blackbox::repair
