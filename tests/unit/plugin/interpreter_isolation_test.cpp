#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/plugin/interpreter_isolation.hpp>

namespace blackbox::plugin {
namespace {

using Words = std::vector<std::string>;

TEST(InterpreterIsolation, FindsIsolatedAndIgnoreEnvironmentOptions) {
    auto found = isolated_interpreter({"python3", "-I", "-m", "pytest"});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->flag, "-I");
    EXPECT_EQ(found->probe_prefix, (Words{"python3", "-I"}));
    found = isolated_interpreter({"/usr/bin/python3.11", "-E", "-m", "pytest"});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->flag, "-E");
}

TEST(InterpreterIsolation, ReadsClusteredOptionsAndSkipsOptionValues) {
    auto found = isolated_interpreter({"python3", "-W", "ignore", "-BIs", "-m", "pytest"});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->flag, "-I");
    EXPECT_EQ(found->probe_prefix, (Words{"python3", "-W", "ignore", "-I"}));
    // -X's value "I" is not the option -I.
    EXPECT_FALSE(isolated_interpreter({"python3", "-X", "I", "-m", "pytest"}));
    EXPECT_FALSE(isolated_interpreter({"python3", "-XI", "-m", "pytest"}));
}

TEST(InterpreterIsolation, OptionsAfterTheModuleOrScriptAreNotTheInterpreters) {
    EXPECT_FALSE(isolated_interpreter({"python3", "-m", "pytest", "-I"}));
    EXPECT_FALSE(isolated_interpreter({"python3", "-mpytest", "-E"}));
    EXPECT_FALSE(isolated_interpreter({"python3", "run.py", "-I"}));
    EXPECT_FALSE(isolated_interpreter({"python3", "-s", "-m", "pytest"}));
}

TEST(InterpreterIsolation, OnlyAPythonIsRead) {
    EXPECT_FALSE(isolated_interpreter({"pytest", "-I"}));
    EXPECT_FALSE(isolated_interpreter({"tox", "-E", "x"}));
    EXPECT_TRUE(isolated_interpreter({"pypy3", "-I", "-m", "pytest"}));
    EXPECT_FALSE(isolated_interpreter({}));
}

class ShebangTest : public ::testing::Test {
  protected:
    std::filesystem::path script =
        std::filesystem::temp_directory_path() /
        ("blackbox-shebang-" + std::to_string(::getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());

    void write(const std::string& text) { std::ofstream(script) << text; }

    void TearDown() override { std::filesystem::remove(script); }
};

TEST_F(ShebangTest, ReadsTheShebangOfAScript) {
    write("#!/usr/bin/python3 -I\nimport pytest\n");
    auto found = isolated_command({"runtests", "-x"}, script);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->probe_prefix, (Words{"/usr/bin/python3", "-I"}));
    EXPECT_EQ(found->where, "the #! line of " + script.string());
}

TEST_F(ShebangTest, ReadsEnvSplitStrings) {
    write("#!/usr/bin/env -S python3 -E\n");
    auto found = isolated_command({"runtests"}, script);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->probe_prefix, (Words{"python3", "-E"}));
}

TEST_F(ShebangTest, APlainShebangOrABinaryIsNotIsolated) {
    write("#!/usr/bin/python3\n");
    EXPECT_FALSE(isolated_command({"pytest"}, script));
    write(
        "\x7f"
        "ELF");
    EXPECT_FALSE(isolated_command({"pytest"}, script));
    EXPECT_FALSE(isolated_command({"pytest"}, script.string() + ".missing"));
}

TEST(InterpreterIsolation, ACommandThatIsAPythonIsReadFromItsWords) {
    auto found = isolated_command({"python3", "-I", "-m", "pytest"}, "/usr/bin/python3");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->where, "the command");
}

}  // namespace
}  // namespace blackbox::plugin
