// Dating a death: a crashed test's phase in flight has no end in its journal; its duration runs
// to the death, dated by the best record there is.

#include <gtest/gtest.h>

#include <blackbox/postmortem/death_time.hpp>

namespace blackbox::postmortem {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

journal::ProcessReplay replay(int attempt, const std::string& role, long pid,
                              std::int64_t last_ns) {
    journal::ProcessReplay process;
    process.files.attempt = attempt;
    process.files.role = role;
    process.files.pid = pid;
    process.last_ns = last_ns;
    return process;
}

// A run whose one test crashed in its call, begun at 10 s, in `worker` (or the main process).
RunModel crashed_run(std::optional<std::string> worker) {
    RunModel run;
    Crash crash;
    crash.nodeid = "t.py::test_dies";
    crash.phase = "call";
    crash.worker = worker;
    crash.pid = worker ? 200 : 100;
    crash.since_ns = 10 * kSecond;
    run.crashes.push_back(crash);
    TestResult test;
    test.nodeid = "t.py::test_dies";
    test.outcome = "crashed";
    test.crash = 0;
    PhaseResult setup;
    setup.duration_s = 0.0002;
    test.setup = setup;
    run.tests.push_back(test);
    return run;
}

TEST(DeathTime, TheMainProcessDiesWhenTheSupervisorsWaitReturned) {
    RunModel run = crashed_run(std::nullopt);
    run.attempt_ends.push_back(AttemptEnd{
        .attempt = 1, .pid = 100, .wait = {std::nullopt, 9, false}, .exited_ns = 12 * kSecond});
    run.ended_ns = 40 * kSecond;  // the leftovers' cleanup came after: not the death
    run.crashes[0].memory_at = MemoryPoint{11 * kSecond, 1, std::nullopt, std::nullopt};
    std::vector<journal::ProcessReplay> replays{replay(1, "main", 100, 10 * kSecond)};

    date_deaths(run, replays);
    cut_crashed_tests(run);

    EXPECT_EQ(run.crashes[0].died_ns, 12 * kSecond);
    ASSERT_TRUE(run.tests[0].cut);
    EXPECT_EQ(run.tests[0].cut->phase, CutPhase::Phase::call);
    EXPECT_DOUBLE_EQ(run.tests[0].cut->duration_s, 2.0);
    EXPECT_DOUBLE_EQ(run.tests[0].duration_s(), 2.0002);
    EXPECT_EQ(run.tests[0].phase_duration_s(CutPhase::Phase::call), 2.0);
    EXPECT_FALSE(run.tests[0].phase_duration_s(CutPhase::Phase::teardown));
}

TEST(DeathTime, AWorkersDeathIsTheControllersRecordOfIt) {
    RunModel run = crashed_run("gw1");
    // The main process lived on: its wait says nothing of the worker.
    run.attempt_ends.push_back(AttemptEnd{
        .attempt = 1, .pid = 100, .wait = {0, std::nullopt, false}, .exited_ns = 30 * kSecond});
    run.crashes[0].memory_at = MemoryPoint{12 * kSecond, 1, std::nullopt, std::nullopt};
    auto controller = replay(1, "main", 100, 30 * kSecond);
    controller.workers_down.push_back({"gw0", std::nullopt, 0, std::nullopt, 20 * kSecond});
    controller.workers_down.push_back({"gw1", std::nullopt, std::nullopt, 9, 13 * kSecond});
    std::vector<journal::ProcessReplay> replays{controller, replay(1, "gw1", 200, 10 * kSecond)};

    date_deaths(run, replays);

    EXPECT_EQ(run.crashes[0].died_ns, 13 * kSecond);
}

TEST(DeathTime, AWorkerNobodySawDieDiedAfterItsLastSample) {
    RunModel run = crashed_run("gw1");
    run.attempt_ends.push_back(AttemptEnd{
        .attempt = 1, .pid = 100, .wait = {std::nullopt, 9, false}, .exited_ns = 30 * kSecond});
    run.crashes[0].memory_at = MemoryPoint{12 * kSecond, 1, std::nullopt, std::nullopt};
    std::vector<journal::ProcessReplay> replays{replay(1, "main", 100, 11 * kSecond),
                                                replay(1, "gw1", 200, 10 * kSecond)};

    date_deaths(run, replays);

    EXPECT_EQ(run.crashes[0].died_ns, 12 * kSecond);
}

TEST(DeathTime, WithoutTheWaitTheLastSampleThenTheRunsEnd) {
    RunModel run = crashed_run(std::nullopt);
    run.ended_ns = 40 * kSecond;
    std::vector<journal::ProcessReplay> replays{replay(1, "main", 100, 10 * kSecond)};
    date_deaths(run, replays);
    EXPECT_EQ(run.crashes[0].died_ns, 40 * kSecond);

    run.crashes[0].memory_at = MemoryPoint{11 * kSecond, 1, std::nullopt, std::nullopt};
    date_deaths(run, replays);
    EXPECT_EQ(run.crashes[0].died_ns, 11 * kSecond);
}

TEST(DeathTime, NothingDatesAPluginRunsMainProcessKilledOutright) {
    RunModel run = crashed_run(std::nullopt);
    std::vector<journal::ProcessReplay> replays{replay(1, "main", 100, 10 * kSecond)};
    date_deaths(run, replays);
    cut_crashed_tests(run);
    EXPECT_FALSE(run.crashes[0].died_ns);
    EXPECT_FALSE(run.tests[0].cut);
    EXPECT_DOUBLE_EQ(run.tests[0].duration_s(), 0.0002);  // what the journal says, no more
}

TEST(DeathTime, NeverBeforeTheProcessesLastRecord) {
    RunModel run = crashed_run(std::nullopt);
    // A sample taken before the last record the process wrote.
    run.crashes[0].memory_at = MemoryPoint{9 * kSecond, 1, std::nullopt, std::nullopt};
    std::vector<journal::ProcessReplay> replays{replay(1, "main", 100, 10'500'000'000)};
    date_deaths(run, replays);
    EXPECT_EQ(run.crashes[0].died_ns, 10'500'000'000);
}

}  // namespace
}  // namespace blackbox::postmortem
