// Files the command's process writes between fork and exec (supervise::PreExecWrite), through a
// real session: how a memory cgroup is joined and oom_score_adj raised.

#include <cerrno>
#include <fstream>

#include <gtest/gtest.h>

#include <blackbox/limit/oom_score.hpp>
#include <blackbox/supervise/session.hpp>

#include "session_support.hpp"

namespace blackbox::supervise {
namespace {

using test_support::run_captured;
using test_support::shell_session;
using test_support::slurp;
using test_support::TempDir;

TEST(PreExecWrite, TheChildWritesBeforeTheCommandRuns) {
    TempDir dir;
    std::ofstream(dir / "target") << "old content";
    auto options = shell_session(dir, "cat \"$1\"");
    options.argv.push_back("sh");
    options.argv.push_back((dir / "target").string());
    options.pre_exec_writes = {{(dir / "target").string(), "new", true}};
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.status, ExitStatus::exited(0));
    EXPECT_EQ(run.out, "new content");  // written in place, as to a control file
}

TEST(PreExecWrite, ARequiredWriteThatFailsIsASpawnFailure) {
    TempDir dir;
    auto options = shell_session(dir, "echo ran");
    options.pre_exec_writes = {{(dir / "ok").string(), "x", false},
                               {(dir / "no-such-dir" / "cgroup.procs").string(), "0\n", true}};
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.spawn_errno, ENOENT);
    EXPECT_EQ(run.result.spawn_failed_write, 1u);
    EXPECT_EQ(run.result.status, ExitStatus::exited(126));  // not 127: the command was there
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(slurp(dir / "output.log"), "");
}

TEST(PreExecWrite, AnOptionalWriteThatFailsIsIgnored) {
    TempDir dir;
    auto options = shell_session(dir, "echo ran");
    options.pre_exec_writes = {{(dir / "no-such-file").string(), "x", false}};
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.spawn_errno, std::nullopt);
    EXPECT_EQ(run.result.spawn_failed_write, std::nullopt);
    EXPECT_EQ(run.out, "ran\n");
}

TEST(PreExecWrite, ProcSelfIsTheChild) {
    TempDir dir;
    const int ours = limit::current_oom_score_adj();
    if (ours >= 700) {
        GTEST_SKIP() << "our oom_score_adj is already " << ours;
    }
    auto options = shell_session(dir, "cat /proc/self/oom_score_adj");
    options.pre_exec_writes = {*limit::oom_score_adj_write(700, ours)};
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.out, "700\n");
    EXPECT_EQ(limit::current_oom_score_adj(), ours);  // ours is untouched
}

}  // namespace
}  // namespace blackbox::supervise
