#include <gtest/gtest.h>

#include <blackbox/postmortem/rerun_command.hpp>

namespace blackbox::postmortem {
namespace {

TEST(RerunCommand, KeepsTheInterpreterAndPytestEntry) {
    RunModel run;
    run.command = {"/usr/bin/python3", "-m", "pytest", "-x", "tests/"};
    EXPECT_EQ(rerun_command(run, "tests/test_a.py::test_b"),
              "blackbox run -- /usr/bin/python3 -m pytest tests/test_a.py::test_b");
    run.command = {".venv/bin/pytest", "-n", "4"};
    EXPECT_EQ(rerun_command(run, "t.py::x"), "blackbox run -- .venv/bin/pytest t.py::x");
    run.command = {"tox", "-e", "py311"};
    EXPECT_EQ(rerun_command(run, "t.py::x"), "blackbox run -- python3 -m pytest t.py::x");
}

TEST(RerunCommand, QuotesNodeIdsForTheShell) {
    RunModel run;
    run.command = {"python3", "-m", "pytest"};
    EXPECT_EQ(rerun_command(run, "t.py::test_p[it's a b]"),
              "blackbox run -- python3 -m pytest 't.py::test_p[it'\\''s a b]'");
    EXPECT_EQ(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
    EXPECT_EQ(shell_quote(""), "''");
}

TEST(RerunCommand, ChangesToTheRootdirWhenNodeIdsAreRelativeToIt) {
    RunModel run;
    run.command = {"python3", "-m", "pytest"};
    run.cwd = "/src/project/sub";
    run.rootdir = "/src/project";
    EXPECT_EQ(rerun_command(run, "t.py::x"),
              "cd /src/project && blackbox run -- python3 -m pytest t.py::x");
}

}  // namespace
}  // namespace blackbox::postmortem
