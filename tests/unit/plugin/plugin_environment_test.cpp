#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/plugin/plugin_environment.hpp>

namespace blackbox::plugin {
namespace {

std::string value(const std::vector<std::string>& env, const std::string& key) {
    for (const auto& entry : env) {
        if (entry.rfind(key + "=", 0) == 0) {
            return entry.substr(key.size() + 1);
        }
    }
    return "<unset>";
}

Injection injection() {
    Injection result;
    result.plugin_dir = "/opt/bb/share/blackbox/python";
    result.run_dir = "/p/.blackbox/runs/x";
    result.attempt = 2;
    return result;
}

TEST(PluginEnvironment, KeepsTheUsersPythonpathAndPlugins) {
    auto env =
        inject({"PYTHONPATH=/mine:/also", "PYTEST_PLUGINS=my.plugin", "HOME=/h"}, injection());
    EXPECT_EQ(value(env, "PYTHONPATH"), "/opt/bb/share/blackbox/python:/mine:/also");
    EXPECT_EQ(value(env, "PYTEST_PLUGINS"), "my.plugin,pytest_blackbox.plugin");
    EXPECT_EQ(value(env, "HOME"), "/h");
    EXPECT_EQ(value(env, "BLACKBOX_RUN_DIR"), "/p/.blackbox/runs/x");
    EXPECT_EQ(value(env, "BLACKBOX_ATTEMPT"), "2");
    EXPECT_EQ(value(env, "BLACKBOX_FSYNC"), "<unset>");
}

TEST(PluginEnvironment, SetsWhatIsMissingWithoutEmptyEntries) {
    auto options = injection();
    options.fsync = true;
    options.unbuffered = true;
    auto env = inject({}, options);
    EXPECT_EQ(value(env, "PYTHONPATH"), "/opt/bb/share/blackbox/python");
    EXPECT_EQ(value(env, "PYTEST_PLUGINS"), "pytest_blackbox.plugin");
    EXPECT_EQ(value(env, "BLACKBOX_FSYNC"), "1");
    EXPECT_EQ(value(env, "PYTHONUNBUFFERED"), "1");
}

TEST(PluginEnvironment, DoesNotListThePluginTwice) {
    auto env = inject({"PYTEST_PLUGINS=a, pytest_blackbox.plugin"}, injection());
    EXPECT_EQ(value(env, "PYTEST_PLUGINS"), "a, pytest_blackbox.plugin");
}

TEST(PluginEnvironment, NamesThisRunsCaptureMailboxAndNeverAnOuterOne) {
    auto options = injection();
    options.capture_socket = "@blackbox-capture-1-x";
    auto env = inject({"BLACKBOX_CAPTURE_SOCKET=@outer"}, options);
    EXPECT_EQ(value(env, "BLACKBOX_CAPTURE_SOCKET"), "@blackbox-capture-1-x");
    EXPECT_EQ(std::count_if(env.begin(), env.end(),
                            [](const std::string& entry) {
                                return entry.starts_with("BLACKBOX_CAPTURE_SOCKET=");
                            }),
              1);
    env = inject({"BLACKBOX_CAPTURE_SOCKET=@outer"}, injection());
    EXPECT_EQ(value(env, "BLACKBOX_CAPTURE_SOCKET"), "<unset>");
}

TEST(PluginEnvironment, NamesTheNativeLibraryUnlessTheUserDid) {
    auto options = injection();
    EXPECT_EQ(value(inject({}, options), "BLACKBOX_NATIVE_LIB"), "<unset>");
    options.native_library = "/opt/bb/lib/blackbox/libblackbox_native.so";
    EXPECT_EQ(value(inject({}, options), "BLACKBOX_NATIVE_LIB"),
              "/opt/bb/lib/blackbox/libblackbox_native.so");
    EXPECT_EQ(value(inject({"BLACKBOX_NATIVE_LIB=/mine.so"}, options), "BLACKBOX_NATIVE_LIB"),
              "/mine.so");
}

TEST(PluginEnvironment, FindsTheNativeLibraryBesideTheBinaryOnly) {
    auto root =
        std::filesystem::temp_directory_path() / ("blackbox-native-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root / "bin");
    EXPECT_FALSE(find_native_library(root / "bin" / "blackbox"));
    std::filesystem::create_directories(root / "lib" / "blackbox");
    std::ofstream(root / "lib" / "blackbox" / "libblackbox_native.so") << "";
    auto found = find_native_library(root / "bin" / "blackbox");
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, std::filesystem::weakly_canonical(root / "lib" / "blackbox" /
                                                        "libblackbox_native.so"));
    std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace blackbox::plugin

namespace blackbox::plugin {
namespace {

TEST(PluginEnvironment, SaysWhetherPytestMayBeRestarted) {
    auto plain = injection();
    auto env = inject({"BLACKBOX_MAX_RESTARTS=9"}, plain);  // an outer run's
    EXPECT_EQ(value(env, "BLACKBOX_MAX_RESTARTS"), "<unset>");
    auto restarted = injection();
    restarted.max_restarts = 3;
    env = inject({}, restarted);
    EXPECT_EQ(value(env, "BLACKBOX_MAX_RESTARTS"), "3");
}

}  // namespace
}  // namespace blackbox::plugin
