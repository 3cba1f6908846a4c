// The after-test records: what the sentinels caught and what gc freed, replayed into the model
// and presented by the post-mortem's text and JSON, and by the JUnit, Markdown and HTML reports.

#include <string>

#include <gtest/gtest.h>

#include <blackbox/journal/process_files.hpp>
#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/left_behind.hpp>
#include <blackbox/report/html_data.hpp>
#include <blackbox/report/html_verdict.hpp>
#include <blackbox/report/json_view.hpp>
#include <blackbox/report/junit_report.hpp>
#include <blackbox/report/markdown_report.hpp>
#include <blackbox/report/text_view.hpp>

namespace blackbox::postmortem {
namespace {

constexpr const char* kJournal = R"({"ev":"start","ns":1,"v":1,"pid":7,"worker":null}
{"ev":"test","ns":10,"nodeid":"t.py::test_file"}
{"ev":"after_test","ns":11,"left":{"fds":1}}
{"ev":"end","ns":12,"phase":"setup","outcome":"passed","dur":0.1}
{"ev":"end","ns":13,"phase":"call","outcome":"passed","dur":0.1}
{"ev":"end","ns":14,"phase":"teardown","outcome":"passed","dur":0.1}
{"ev":"after_test","ns":15,"gc_freed":4096,"gc_objects":3,"gc_s":0.002,"left":{"threads":2,"fds":1},"left_names":{"fds":["7 -> /tmp/x"],"threads":["a","b"]}}
{"ev":"test","ns":20,"nodeid":"t.py::test_clean"}
{"ev":"end","ns":21,"phase":"setup","outcome":"passed","dur":0.1}
{"ev":"end","ns":22,"phase":"call","outcome":"passed","dur":0.1}
{"ev":"end","ns":23,"phase":"teardown","outcome":"passed","dur":0.1}
{"ev":"after_test","ns":24,"gc_freed":-8192,"gc_objects":0,"gc_s":0.001}
{"ev":"test","ns":30,"nodeid":"t.py::test_child"}
{"ev":"end","ns":31,"phase":"setup","outcome":"passed","dur":0.1}
{"ev":"end","ns":32,"phase":"call","outcome":"passed","dur":0.1}
{"ev":"end","ns":33,"phase":"teardown","outcome":"passed","dur":0.1}
{"ev":"after_test","ns":34,"gc_freed":1048576,"gc_objects":9,"gc_s":0.003,"left":{"children":1,"figures":"bad"},"left_names":{"children":["99 sleep 30"]}}
{"ev":"session_end","ns":40,"exitstatus":0}
)";

RunModel replayed() {
    auto files = journal::parse_stem("1-main-7");
    EXPECT_TRUE(files);
    auto replay = journal::replay_process(*files, kJournal);
    RunModel run;
    run.status = "passed";
    for (auto& test : replay.tests) {
        run.tests.push_back(std::move(test));
    }
    return run;
}

TEST(LeftBehind, AnAfterTestRecordBelongsToTheTestWhoseTeardownEnded) {
    auto run = replayed();
    ASSERT_EQ(run.tests.size(), 3U);
    const auto& file = run.tests[0];
    ASSERT_TRUE(file.after);
    EXPECT_EQ(file.after->gc_freed_bytes, 4096);
    EXPECT_EQ(file.after->gc_objects, 3);
    ASSERT_EQ(file.after->left.size(), 2U);
    EXPECT_EQ(file.after->left[0].kind, "fds");  // the listing order, not the record's
    EXPECT_EQ(file.after->left[0].names, std::vector<std::string>{"7 -> /tmp/x"});
    EXPECT_EQ(file.after->left[1].kind, "threads");
    EXPECT_EQ(file.after->left[1].count, 2);
    ASSERT_TRUE(run.tests[1].after);
    EXPECT_TRUE(run.tests[1].after->left.empty());
    ASSERT_EQ(run.tests[2].after->left.size(), 1U);  // a count that is not a number is skipped
}

TEST(LeftBehind, NamesTheTestsThatLeftEachKind) {
    auto run = replayed();
    auto kinds = left_behind(run);
    ASSERT_EQ(kinds.size(), 3U);
    EXPECT_EQ(kinds[0].kind, "fds");
    EXPECT_EQ(kinds[1].kind, "threads");
    EXPECT_EQ(kinds[2].kind, "children");
    ASSERT_EQ(kinds[2].tests.size(), 1U);
    EXPECT_EQ(run.tests[kinds[2].tests[0].test].nodeid, "t.py::test_child");
    EXPECT_EQ(leftover_title("children"), "child processes");
}

TEST(LeftBehind, SumsWhatGcFreed) {
    auto gc = gc_totals(replayed());
    ASSERT_TRUE(gc);
    EXPECT_EQ(gc->tests, 3U);
    EXPECT_EQ(gc->freed_bytes, 4096 - 8192 + 1048576);
    EXPECT_EQ(gc->objects, 12);
    EXPECT_EQ(gc->most, 2U);
    EXPECT_FALSE(gc_totals(RunModel{}));
}

TEST(LeftBehind, ThePostMortemListsTheLeakingTestsPerKind) {
    auto run = replayed();
    auto text = report::postmortem_text(run, report::TextOptions{});
    EXPECT_NE(text.find("left behind file descriptors, 1 test: t.py::test_file (1: 7 -> /tmp/x)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("left behind child processes, 1 test: t.py::test_child (1: 99 sleep 30)"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("test_clean"), std::string::npos) << text;
    EXPECT_NE(text.find("gc after each test freed"), std::string::npos) << text;

    auto json = report::postmortem_json(run);
    ASSERT_EQ(json["left_behind"]["threads"].size(), 1U);
    EXPECT_EQ(json["left_behind"]["threads"][0]["nodeid"], "t.py::test_file");
    EXPECT_EQ(json["left_behind"]["threads"][0]["count"], 2);
    EXPECT_EQ(json["gc_after_each"]["most"], "t.py::test_child");
}

TEST(LeftBehind, TheReportsNameTheLeakingTests) {
    auto run = replayed();
    run.tests[0].nodeid = "t.py::test_file[<b>]";  // untrusted text stays text in each format
    EXPECT_EQ(leftover_summary(run.tests[0].after->left[0]), "1: 7 -> /tmp/x");

    auto xml = report::junit_xml(run);
    EXPECT_NE(xml.find(R"(<property name="blackbox.left.fds" value="1: 7 -> /tmp/x" />)"),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find(R"(<property name="blackbox.gc_freed_bytes" value="-8192" />)"),
              std::string::npos)
        << xml;

    auto markdown = report::markdown_summary(run);
    EXPECT_NE(markdown.find("### Left behind"), std::string::npos) << markdown;
    EXPECT_NE(markdown.find("| child processes | 1 | `t.py::test_child` | `1: 99 sleep 30` |"),
              std::string::npos)
        << markdown;
    auto section = markdown.substr(markdown.find("### Left behind"));
    EXPECT_EQ(section.find("test_clean"), std::string::npos) << markdown;

    auto verdict = report::html_verdict(report::html_data(run, {}));
    EXPECT_NE(verdict.find("<code>t.py::test_file[&lt;b&gt;]</code> 1: 7 -&gt; /tmp/x"),
              std::string::npos)
        << verdict;
    EXPECT_NE(verdict.find(R"(<li data-kind="threads">)"), std::string::npos) << verdict;
    EXPECT_EQ(verdict.find("<b>"), std::string::npos) << verdict;
    EXPECT_EQ(verdict.find("test_clean"), std::string::npos) << verdict;

    run.recording_stopped = {"gw1 (pid 7): internal error: <b>"};
    EXPECT_NE(
        report::html_verdict(report::html_data(run, {}))
            .find("recording stopped in gw1 (pid 7): internal error: &lt;b&gt;; that process"),
        std::string::npos);
    EXPECT_NE(report::markdown_summary(run).find(
                  "Recording stopped in `gw1 (pid 7): internal error: <b>`"),
              std::string::npos);

    RunModel quiet;
    EXPECT_EQ(report::markdown_summary(quiet).find("Left behind"), std::string::npos);
    EXPECT_EQ(report::html_verdict(report::html_data(quiet, {})).find("left-behind"),
              std::string::npos);
}

// Tests spread in time, as a run records them (ns): which one ran while a process started.
RunModel spread_tests() {
    RunModel run;
    const auto phase = [](std::int64_t begin, std::int64_t end) {
        PhaseResult result;
        result.begin_ns = begin;
        result.end_ns = end;
        result.duration_s = static_cast<double>(end - begin) / 1e9;
        return result;
    };
    auto& first = run.tests.emplace_back();
    first.nodeid = "t.py::test_first";
    first.setup = phase(100, 200);
    first.call = phase(210, 500);
    first.teardown = phase(510, 600);
    auto& second = run.tests.emplace_back();
    second.nodeid = "t.py::test_second";
    second.setup = phase(1000, 1100);
    second.call = phase(1100, 2000);
    auto& other_attempt = run.tests.emplace_back();
    other_attempt.nodeid = "t.py::test_later";
    other_attempt.attempt = 2;
    other_attempt.setup = phase(100, 900);
    return run;
}

TEST(TestRunningAt, NamesTheOneTestWhoseTimeOverlapsTheStart) {
    auto run = spread_tests();
    EXPECT_EQ(test_running_at(run, 1, 300, 310), 0u);
    EXPECT_EQ(test_running_at(run, 1, 590, 700), 0u);  // its teardown
    EXPECT_EQ(test_running_at(run, 1, 1500, 1600), 1u);
    EXPECT_EQ(test_running_at(run, 2, 300, 310), 2u);  // another attempt's tests
}

TEST(TestRunningAt, NamesNoneBetweenTestsOrWhenSeveralOverlap) {
    auto run = spread_tests();
    EXPECT_EQ(test_running_at(run, 1, 700, 900), std::nullopt);
    EXPECT_EQ(test_running_at(run, 1, 550, 1050), std::nullopt);  // a tick over both
    EXPECT_EQ(test_running_at(run, 1, 5000, 6000), std::nullopt);
}

}  // namespace
}  // namespace blackbox::postmortem
