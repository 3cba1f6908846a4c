// Journals as a hostile or broken writer leaves them (the fuzz targets' findings, each kept as
// a test): the replay's counts stay true to the tests whatever records repeat, and figures no
// machine gives (beyond 2^62) are absent, so that what is summed of them stays a sum.

#include <string>

#include <gtest/gtest.h>

#include <blackbox/journal/process_files.hpp>
#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/left_behind.hpp>

namespace blackbox::postmortem {
namespace {

journal::ProcessReplay replay(const std::string& journal) {
    auto files = journal::parse_stem("1-main-7");
    EXPECT_TRUE(files);
    return journal::replay_process(*files, journal);
}

TEST(HostileJournal, ARepeatedTeardownEndCountsItsTestOnce) {
    auto replayed = replay(R"({"ev":"start","ns":1,"v":1,"pid":7,"worker":null}
{"ev":"test","ns":10,"nodeid":"t.py::test_a"}
{"ev":"end","ns":11,"phase":"setup","outcome":"passed","dur":0.1}
{"ev":"end","ns":12,"phase":"teardown","outcome":"passed","dur":0.1}
{"ev":"end","ns":13,"phase":"teardown","outcome":"passed","dur":0.1}
{"ev":"end","ns":14,"phase":"teardown","outcome":"failed","dur":0.1}
)");
    ASSERT_EQ(replayed.tests.size(), 1U);
    EXPECT_EQ(replayed.tests_done, 1U);  // the status line's "done" never passes the tests
}

TEST(HostileJournal, FiguresBeyond2To62AreAbsentAndTheirSumsSaturate) {
    std::string journal = R"({"ev":"start","ns":1,"v":1,"pid":7,"worker":null}
)";
    for (int i = 0; i < 3; ++i) {
        journal += R"({"ev":"test","ns":10,"nodeid":"t.py::test_)" + std::to_string(i) + R"("}
{"ev":"end","ns":11,"phase":"setup","outcome":"passed","dur":0.1}
{"ev":"end","ns":12,"phase":"teardown","outcome":"passed","dur":0.1,"peak_rss":9223372036854775807,"rss_before":-1,"rss_after":4611686018427387904}
{"ev":"after_test","ns":13,"gc_freed":4611686018427387904,"gc_objects":-5}
)";
    }
    auto replayed = replay(journal);
    ASSERT_EQ(replayed.tests.size(), 3U);
    const auto& test = replayed.tests[0];
    EXPECT_FALSE(test.peak_rss_bytes);
    EXPECT_FALSE(test.rss_before_bytes);
    EXPECT_EQ(test.rss_after_bytes, std::int64_t{1} << 62);
    ASSERT_TRUE(test.after);
    EXPECT_FALSE(test.after->gc_objects);

    RunModel run;
    for (auto& each : replayed.tests) {
        run.tests.push_back(std::move(each));
    }
    auto gc = gc_totals(run);
    ASSERT_TRUE(gc);
    EXPECT_EQ(gc->freed_bytes, std::numeric_limits<std::int64_t>::max());
}

}  // namespace
}  // namespace blackbox::postmortem
