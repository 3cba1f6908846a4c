#pragma once

// pytest-monitor's sessions as runs of ours (docs/formats/metrics-db.md, "Sessions sent by
// pytest-monitor's client"): its client sends a session, then one metric per passing test, and
// nothing else (no end, no failure, no class name). Each session becomes a blackbox_runs row and
// each function metric a blackbox_tests row, so that the dashboard, the runs' JSON, a test's
// history, `compare` and `history` see them as they see ours.

#include <string>

#include <blackbox/store/session_row.hpp>
#include <blackbox/store/test_row.hpp>
#include <blackbox/store/upload.hpp>

namespace blackbox::store {

// The status word of such a run: the client never says how its session ended.
inline constexpr const char* kMonitorRunStatus = "pytest-monitor";

// Its settings (compare's like with like): serial as far as anyone knows (under xdist each
// worker sends a session of its own), measured by pytest-monitor, whose figures are not ours.
inline constexpr const char* kMonitorRunSettings = R"({"workers":0,"client":"pytest-monitor"})";

// The node id of a metric, approximate: ITEM_FS_LOC "::" ITEM_VARIANT, with the ", " the client
// wrote for every "-" of the test's name turned back into "-" (a name with ", " of its own is
// changed too), and no class (the client sends none: TestBox::test_side reads test_side).
std::string monitor_nodeid(const std::string& item_fs_loc, const std::string& item_variant);

// The run of a session as it is first known: no test yet, no machine (a metric names it).
RunRow monitor_run_row(const SessionRow& session);

// The test of a function metric: passed (the client sends only passing tests), its call time
// (the only phase the client measures) as its call and total, its CPU times; no memory figure
// (the client's MEM_USAGE, the peak over the session's starting memory, stays in TEST_METRICS).
TestRow monitor_test_row(const MonitorMetric& metric);

}  // namespace blackbox::store
