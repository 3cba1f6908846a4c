// The records of plugins that change how a test runs, replayed: pytest-forked's report of a
// forked child's death (phase `???`), pytest-rerunfailures' tries (`begin` before their late
// reports, outcome `rerun`), pytest-subtests' `subtest` records.

#include <string>

#include <gtest/gtest.h>

#include <blackbox/journal/process_files.hpp>
#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/test_outcome.hpp>

namespace blackbox::journal {
namespace {

ProcessReplay replay(const std::string& journal) {
    auto files = parse_stem("1-main-7");
    EXPECT_TRUE(files);
    return replay_process(*files, std::string(R"({"ev":"start","ns":1,"v":1,"pid":7}
)") + journal);
}

TEST(TestPluginRecords, AForkedChildsDeathNamesItsPhaseSignalAndPid) {
    auto replayed = replay(R"({"ev":"test","ns":10,"nodeid":"t.py::test_a"}
{"ev":"begin","ns":11,"phase":"setup","pid":99}
{"ev":"begin","ns":12,"phase":"call","pid":99}
{"ev":"end","ns":20,"phase":"???","outcome":"failed","dur":0.1,"longrepr":":-1: running the test CRASHED with signal 11","signal":11}
{"ev":"test","ns":30,"nodeid":"t.py::test_b"}
{"ev":"end","ns":31,"phase":"???","outcome":"failed","dur":0.1,"longrepr":"t.py:3: running the test CRASHED with signal 9"}
)");
    ASSERT_EQ(replayed.tests.size(), 2U);
    const auto& first = replayed.tests[0];
    ASSERT_TRUE(first.child_death);
    EXPECT_EQ(first.child_death->phase, "call");
    EXPECT_EQ(first.child_death->signal, 11);
    EXPECT_EQ(first.child_death->pid, 99);
    EXPECT_EQ(first.child_death->since_ns, 12);
    EXPECT_EQ(first.child_death->ns, 20);
    // A journal written before the plugin added `signal` and `begin`: the text names the
    // signal, and the phase is the setup (nothing says the child got further).
    const auto& second = replayed.tests[1];
    ASSERT_TRUE(second.child_death);
    EXPECT_EQ(second.child_death->signal, 9);
    EXPECT_EQ(second.child_death->phase, "setup");
    EXPECT_EQ(second.child_death->pid, 0);
    EXPECT_EQ(replayed.tests_done, 2U);
    EXPECT_EQ(replayed.last.activity, InFlight::Activity::between_tests);
}

TEST(TestPluginRecords, AForkedChildsDeathThatAnXfailExpectedIsXfailed) {
    auto replayed = replay(R"({"ev":"test","ns":10,"nodeid":"t.py::test_a"}
{"ev":"begin","ns":12,"phase":"call","pid":99}
{"ev":"end","ns":20,"phase":"???","outcome":"skipped","dur":0.1,"wasxfail":"reason: x; pytest-forked reason: :-1: running the test CRASHED with signal 11"}
)");
    ASSERT_EQ(replayed.tests.size(), 1U);
    EXPECT_FALSE(replayed.tests[0].child_death);
    EXPECT_EQ(postmortem::derive_outcome(replayed.tests[0]), "xfailed");
}

TEST(TestPluginRecords, ABeginBeforeLateReportsPutsADeathInTheRightPhase) {
    auto replayed = replay(R"({"ev":"test","ns":10,"nodeid":"t.py::test_a"}
{"ev":"begin","ns":11,"phase":"call"}
)");
    EXPECT_EQ(replayed.last.activity, InFlight::Activity::in_test);
    EXPECT_EQ(replayed.last.phase, "call");
    EXPECT_EQ(replayed.last.since_ns, 11);
}

TEST(TestPluginRecords, ATryThatIsRunAgainIsMarked) {
    auto replayed = replay(R"({"ev":"test","ns":10,"nodeid":"t.py::test_a"}
{"ev":"begin","ns":11,"phase":"call"}
{"ev":"begin","ns":12,"phase":"teardown"}
{"ev":"end","ns":13,"phase":"setup","outcome":"passed","dur":0.1}
{"ev":"end","ns":14,"phase":"call","outcome":"rerun","dur":0.1,"longrepr":"boom"}
{"ev":"test","ns":20,"nodeid":"t.py::test_a"}
{"ev":"end","ns":21,"phase":"setup","outcome":"passed","dur":0.1}
{"ev":"end","ns":22,"phase":"call","outcome":"passed","dur":0.1}
{"ev":"end","ns":23,"phase":"teardown","outcome":"passed","dur":0.1}
)");
    ASSERT_EQ(replayed.tests.size(), 2U);
    EXPECT_TRUE(replayed.tests[0].rerun);
    ASSERT_TRUE(replayed.tests[0].call);
    EXPECT_EQ(replayed.tests[0].call->outcome, PhaseResult::Outcome::failed);
    EXPECT_FALSE(replayed.tests[1].rerun);
}

TEST(TestPluginRecords, AFailedSubtestFailsItsTest) {
    auto replayed = replay(R"({"ev":"test","ns":10,"nodeid":"t.py::test_a"}
{"ev":"end","ns":11,"phase":"setup","outcome":"passed","dur":0.1}
{"ev":"subtest","ns":12,"outcome":"passed","dur":0.1,"msg":"block","params":{"i":"0"}}
{"ev":"subtest","ns":13,"outcome":"failed","dur":0.1,"msg":null,"params":{"i":"1"},"longrepr":"assert 1 == 0"}
{"ev":"end","ns":14,"phase":"call","outcome":"passed","dur":0.2}
{"ev":"end","ns":15,"phase":"teardown","outcome":"passed","dur":0.1}
{"ev":"test","ns":20,"nodeid":"t.py::test_b"}
{"ev":"end","ns":21,"phase":"setup","outcome":"passed","dur":0.1}
{"ev":"subtest","ns":22,"outcome":"passed","dur":0.1,"msg":"fine","params":{}}
{"ev":"end","ns":24,"phase":"call","outcome":"passed","dur":0.2}
{"ev":"end","ns":25,"phase":"teardown","outcome":"passed","dur":0.1}
)");
    ASSERT_EQ(replayed.tests.size(), 2U);
    const auto& failed = replayed.tests[0];
    ASSERT_EQ(failed.subtests.size(), 2U);
    EXPECT_EQ(failed.subtests[0].msg, "block");
    EXPECT_EQ(failed.subtests[1].msg, std::nullopt);
    ASSERT_EQ(failed.subtests[1].params.size(), 1U);
    EXPECT_EQ(failed.subtests[1].params[0].second, "1");
    EXPECT_EQ(failed.subtests[1].longrepr, "assert 1 == 0");
    EXPECT_EQ(postmortem::derive_outcome(failed), "failed");
    EXPECT_EQ(postmortem::derive_outcome(replayed.tests[1]), "passed");
}

}  // namespace
}  // namespace blackbox::journal
