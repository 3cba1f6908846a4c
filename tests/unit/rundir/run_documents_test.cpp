// run.json, end.json and attempts.json: what the supervisor writes is what every reader gets
// back, and a document of the wrong shape is a warning, never an exception.

#include <fstream>

#include <gtest/gtest.h>

#include <blackbox/base/directory.hpp>
#include <blackbox/rundir/attempts_file.hpp>
#include <blackbox/rundir/end_file.hpp>
#include <blackbox/rundir/run_file.hpp>
#include <blackbox/rundir/run_files.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::rundir {
namespace {

TEST(RunDocuments, RunJsonKeepsANonUtf8CommandExactly) {
    testing::ScratchDir dir("run-documents");
    auto directory = base::Directory::open(dir.path());
    RunRecord written;
    written.id = "20261122T042119Z-3fa9c1";
    written.started = "2026-11-22T04:21:19.512Z";
    written.started_ns = 5'000'000'000;
    written.recorder = "supervisor";
    written.command = {"python3", "-m", "pytest", std::string("t\xff.py")};
    written.cwd = "/srv/\xfe";
    written.context = {{"os", "Linux"}};
    ASSERT_EQ(write_run_file(directory, written), 0);

    std::vector<std::string> warnings;
    auto read = read_run_file(dir.path(), warnings);
    ASSERT_TRUE(read);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(read->id, written.id);
    EXPECT_EQ(read->started, written.started);
    EXPECT_EQ(read->started_ns, written.started_ns);
    EXPECT_EQ(read->recorder, "supervisor");
    EXPECT_EQ(read->command, written.command);
    EXPECT_EQ(read->cwd, written.cwd);
    EXPECT_EQ(read->context, written.context);
}

TEST(RunDocuments, EndJsonAndAttemptsJsonComeBackAsWritten) {
    testing::ScratchDir dir("run-documents");
    auto directory = base::Directory::open(dir.path());
    AttemptRecord attempt{2, 4242, WaitRecord{std::nullopt, 11, true}, 2, 10, 20, 15};
    EndRecord end;
    end.ended = "2026-11-22T04:22:00.000Z";
    end.ended_ns = 30;
    end.duration_s = 1.5;
    end.exit_code = 139;
    end.attempts = {attempt};
    end.write_failures = {{"samples.jsonl", 12, "No space left on device", 7, "lines"},
                          {"postmortem.json", 13, "No space left on device", std::nullopt, ""}};
    ASSERT_EQ(write_end_file(directory, end), 0);
    ASSERT_EQ(write_attempts_file(directory, {attempt}), 0);

    std::vector<std::string> warnings;
    auto read = read_end_file(dir.path(), warnings);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->ended, end.ended);
    EXPECT_EQ(read->ended_ns, 30);
    EXPECT_EQ(read->duration_s, 1.5);
    EXPECT_FALSE(read->forwarded_signal);
    EXPECT_EQ(read->exit_code, 139);
    ASSERT_EQ(read->write_failures.size(), 2U);
    EXPECT_EQ(read->write_failures[0].lost, 7);
    EXPECT_EQ(read->write_failures[0].unit, "lines");
    EXPECT_FALSE(read->write_failures[1].lost);
    auto attempts = read_attempts_file(dir.path(), warnings);
    ASSERT_TRUE(attempts);
    for (const auto& list : {read->attempts, *attempts}) {
        ASSERT_EQ(list.size(), 1U);
        EXPECT_EQ(list[0].attempt, 2);
        EXPECT_EQ(list[0].pid, 4242);
        EXPECT_FALSE(list[0].wait.code);
        EXPECT_EQ(list[0].wait.signal, 11);
        EXPECT_TRUE(list[0].wait.core_dumped);
        EXPECT_EQ(list[0].forwarded_signal, 2);
        EXPECT_EQ(list[0].ended_ns, 20);
        EXPECT_EQ(list[0].exited_ns, 15);
    }
    EXPECT_TRUE(warnings.empty());
}

TEST(RunDocuments, AMissingDocumentIsNothingAndABrokenOneAWarning) {
    testing::ScratchDir dir("run-documents");
    std::vector<std::string> warnings;
    EXPECT_FALSE(read_end_file(dir.path(), warnings));
    EXPECT_TRUE(warnings.empty());
    std::ofstream(dir / kRunFile) << "[1, 2";
    EXPECT_FALSE(read_run_file(dir.path(), warnings));
    ASSERT_EQ(warnings.size(), 1U);
    EXPECT_EQ(warnings[0], "run.json: not a JSON object, ignored");
}

}  // namespace
}  // namespace blackbox::rundir
