// The real oracle's answers when pytest cannot answer: a rerun whose pytest never started is an
// error naming what it printed, never "no crash".

#include <csignal>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/bisect/pytest_rerun.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::bisect {
namespace {

namespace fs = std::filesystem;

fs::path plugin_dir() {
    return blackbox::testing::test_data().parent_path().parent_path().parent_path() / "python";
}

// An executable shell script in `dir`.
fs::path script(const testing::ScratchDir& dir, const std::string& name, const std::string& body) {
    auto path = dir / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path;
}

TEST(PytestRerun, APytestThatCannotStartIsAnErrorNotNoCrash) {
    testing::ScratchDir dir("rerun");
    auto python = script(dir, "python3", "echo \"$0: No module named pytest\" >&2\nexit 1\n");
    PytestRerun rerun({python.string(), "-m", "pytest"}, dir.path(), dir / "bisect", plugin_dir(),
                      {60, false});
    try {
        rerun({"test_a.py::test_one", "test_a.py::test_crash"});
        FAIL() << "a rerun that never started pytest counted as no crash";
    } catch (const Error& error) {
        EXPECT_EQ(error.exit_code(), kRerunFailed);
        const std::string message = error.what();
        EXPECT_NE(message.find("rerun 1 could not start pytest (exit code 1): "), std::string::npos)
            << message;
        EXPECT_NE(message.find("No module named pytest"), std::string::npos) << message;
        EXPECT_NE(message.find("rerun-01.log"), std::string::npos) << message;
    }
}

TEST(PytestRerun, ACrashBeforePytestStartedIsStillACrash) {
    testing::ScratchDir dir("rerun");
    auto python = script(dir, "python3", "kill -SEGV $$\n");
    PytestRerun rerun({python.string(), "-m", "pytest"}, dir.path(), dir / "bisect", plugin_dir(),
                      {60, false});
    EXPECT_TRUE(rerun({"test_a.py::test_crash"}));
    EXPECT_EQ(rerun.last_signal(), SIGSEGV);
}

}  // namespace
}  // namespace blackbox::bisect
