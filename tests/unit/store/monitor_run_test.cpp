// pytest-monitor's sessions as runs: the node id rebuilt from what its client sends, the run of
// a session and the test of a metric.

#include <gtest/gtest.h>

#include <blackbox/store/monitor_run.hpp>

namespace blackbox::store {
namespace {

TEST(MonitorRun, NodeIdIsTheFileAndTheNameWithItsDashesBack) {
    EXPECT_EQ(monitor_nodeid("tests/test_a.py", "test_quick"), "tests/test_a.py::test_quick");
    // The client wrote "test_pairs[x-y-z]" as "test_pairs[x, y, z]".
    EXPECT_EQ(monitor_nodeid("test_shapes.py", "test_pairs[x, y, z]"),
              "test_shapes.py::test_pairs[x-y-z]");
    // Approximate: a comma of the name's own is taken for a dash, and no class is known.
    EXPECT_EQ(monitor_nodeid("t.py", "test_s[a, b]"), "t.py::test_s[a-b]");
    EXPECT_EQ(monitor_nodeid("t.py", "test_s[a,b]"), "t.py::test_s[a,b]");
    EXPECT_EQ(monitor_nodeid("", "test_x"), "test_x");
}

TEST(MonitorRun, ASessionIsARunOfItsOwnStatusAndSettings) {
    SessionRow session{"0168a4b2", "", "2026-12-07T21:25:13.409300", "", "{}"};
    const auto run = monitor_run_row(session);
    EXPECT_EQ(run.run_id, "0168a4b2");
    EXPECT_EQ(run.started, "2026-12-07T21:25:13.409300");
    EXPECT_EQ(run.status, "pytest-monitor");
    EXPECT_EQ(run.settings, R"({"workers":0,"client":"pytest-monitor"})");
    EXPECT_EQ(run.collected, 0);
}

TEST(MonitorRun, AMetricIsAPassedTestTimedByItsCall) {
    MonitorMetric metric;
    metric.row.item_fs_loc = "test_shapes.py";
    metric.row.item_variant = "test_sleeps";
    metric.row.item_start_time = "2026-12-07T21:25:13.577532";
    metric.row.total_time = 0.0503;
    metric.row.user_time = 0.001;
    metric.row.kernel_time = 0.002;
    metric.row.mem_usage = 0.25;
    const auto test = monitor_test_row(metric);
    EXPECT_EQ(test.nodeid, "test_shapes.py::test_sleeps");
    EXPECT_EQ(test.outcome, "passed");
    EXPECT_EQ(test.call_s, 0.0503);
    EXPECT_EQ(test.total_s, 0.0503);
    EXPECT_EQ(test.user_s, 0.001);
    EXPECT_EQ(test.sys_s, 0.002);
    EXPECT_FALSE(test.peak_rss_bytes);
    EXPECT_FALSE(test.setup_s);
}

}  // namespace
}  // namespace blackbox::store
