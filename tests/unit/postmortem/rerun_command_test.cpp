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

TEST(RerunCommand, WritesBytesThatAreNotTextAsEscapesAShellTurnsBackIntoThem) {
    RunModel run;
    run.command = {"python3", "-m", "pytest"};
    // A file name that is not UTF-8 and a parameter that would retitle and clear a terminal.
    EXPECT_EQ(rerun_command(run, "test_\xFF\xFE.py::t"),
              "blackbox run -- python3 -m pytest $'test_\\xff\\xfe.py::t'");
    EXPECT_EQ(shell_quote("t.py::p[\x1B]0;PWNED\x07\x1B[2J]"),
              "$'t.py::p[\\x1b]0;PWNED\\x07\\x1b[2J]'");
    EXPECT_EQ(shell_quote("it's \\ \x7F"), "$'it\\'s \\\\ \\x7f'");
    // Printable UTF-8 stays readable in plain quotes.
    EXPECT_EQ(shell_quote("t.py::p[\xC3\xA9 x]"), "'t.py::p[\xC3\xA9 x]'");
}

TEST(RerunCommand, ChangesToTheRootdirWhenNodeIdsAreRelativeToIt) {
    RunModel run;
    run.command = {"python3", "-m", "pytest"};
    run.cwd = "/src/project/sub";
    run.rootdir = "/src/project";
    EXPECT_EQ(rerun_command(run, "t.py::x"),
              "cd /src/project && blackbox run -- python3 -m pytest t.py::x");
}

using Words = std::vector<std::string>;

TEST(RerunCommand, KeepsTheOptionsThatChangeHowATestRuns) {
    EXPECT_EQ(rerun_options({"-x",
                             "--forked",
                             "-p",
                             "no:cacheprovider",
                             "-pxdist",
                             "-k",
                             "slow",
                             "--junitxml",
                             "j.xml",
                             "--cov=src",
                             "--cov-report",
                             "term",
                             "--cov-branch",
                             "-n",
                             "4",
                             "-o",
                             "a=b",
                             "tests/",
                             "-W",
                             "ignore::DeprecationWarning",
                             "--timeout=60",
                             "t.py::x"}),
              (Words{"--forked", "-p", "no:cacheprovider", "-pxdist", "--cov=src", "--cov-branch",
                     "-o", "a=b", "-W", "ignore::DeprecationWarning", "--timeout=60"}));
    // --cov takes the next word as its source unless it is an option (argparse's nargs='?').
    EXPECT_EQ(rerun_options({"--cov", "pkg", "--cov", "--forked", "t.py"}),
              (Words{"--cov", "pkg", "--cov", "--forked"}));
    EXPECT_EQ(rerun_options({"-m", "not slow", "--", "-odd-target"}), Words{});
}

TEST(RerunCommand, CarriesTheAttemptsRandomSeed) {
    RunModel run;
    run.command = {
        "python3", "-m",    "pytest", "--random-order-bucket=global", "--random-order-seed",
        "1",       "tests/"};
    // Without a recorded seed, the user's own is kept.
    EXPECT_EQ(rerun_command(run, "t.py::x"),
              "blackbox run -- python3 -m pytest --random-order-bucket=global "
              "--random-order-seed 1 t.py::x");
    run.seed_options = {{1, 0, {"--random-order-seed=1"}},
                        {2, 0, {"--random-order-seed=77"}},
                        {2, 1, {"--random-order-seed=5"}}};
    EXPECT_EQ(rerun_command(run, "t.py::x", 2),
              "blackbox run -- python3 -m pytest --random-order-bucket=global "
              "--random-order-seed=77 t.py::x");
    EXPECT_EQ(rerun_command(run, "t.py::x"),
              "blackbox run -- python3 -m pytest --random-order-bucket=global "
              "--random-order-seed=1 t.py::x");
    // A command that ran pytest twice: the second session's own seed.
    EXPECT_EQ(rerun_command(run, "t.py::x", 2, 1),
              "blackbox run -- python3 -m pytest --random-order-bucket=global "
              "--random-order-seed=5 t.py::x");
}

}  // namespace
}  // namespace blackbox::postmortem
