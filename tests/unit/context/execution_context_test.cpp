#include <set>

#include <gtest/gtest.h>

#include <blackbox/context/execution_context.hpp>

#include "fake_sources.hpp"

namespace blackbox::context {
namespace {

using nlohmann::json;
using testing::FakeSources;
using testing::recorded;

std::set<std::string> keys_of(const json& object) {
    std::set<std::string> keys;
    for (const auto& item : object.items()) {
        keys.insert(item.key());
    }
    return keys;
}

// The shape docs/formats/context.md promises and the Python plugin writes.
void expect_documented_shape(const json& context) {
    EXPECT_EQ(keys_of(context),
              (std::set<std::string>{"hostname", "kernel", "machine", "os", "termux_version", "cpu",
                                     "memory_total_bytes", "cwd", "git", "ci"}));
    EXPECT_EQ(keys_of(context["kernel"]), (std::set<std::string>{"sysname", "release", "version"}));
    EXPECT_EQ(keys_of(context["os"]),
              (std::set<std::string>{"id", "name", "version_id", "pretty_name"}));
    EXPECT_EQ(keys_of(context["cpu"]),
              (std::set<std::string>{"model", "vendor", "count", "frequency_mhz"}));
    if (!context["git"].is_null()) {
        EXPECT_EQ(keys_of(context["git"]), (std::set<std::string>{"commit", "branch", "dirty"}));
    }
    if (!context["ci"].is_null()) {
        EXPECT_EQ(keys_of(context["ci"]),
                  (std::set<std::string>{"name", "build", "branch", "commit", "url"}));
    }
}

FakeSources recorded_x86_machine() {
    FakeSources sources;
    sources.files = {{"/proc/cpuinfo", recorded("cpuinfo-x86_64-xeon")},
                     {"/proc/meminfo", recorded("meminfo-x86_64")},
                     {"/etc/os-release", recorded("os-release-debian12")}};
    sources.uts = Uname{"Linux", "vm", "6.18.44-fc-v669", "#1 SMP PREEMPT_DYNAMIC @0", "x86_64"};
    sources.host = "vm";
    sources.online = 2;
    sources.directory = "/home/me/project";
    sources.outputs = {
        {{"git", "-C", "/home/me/project", "rev-parse", "--verify", "--quiet", "HEAD"},
         "9fceb02d0ae598e95dc970b74767f19372d61af8\n"},
        {{"git", "-C", "/home/me/project", "symbolic-ref", "--quiet", "--short", "HEAD"}, "main\n"},
        {{"git", "-C", "/home/me/project", "--no-optional-locks", "status", "--porcelain",
          "--untracked-files=no"},
         " M setup.py\n"}};
    sources.environment = {{"GITHUB_ACTIONS", "true"}, {"GITHUB_RUN_ID", "99"}};
    return sources;
}

TEST(ExecutionContext, RecordedX86MachineGivesEveryField) {
    json context = gather_execution_context(recorded_x86_machine());
    expect_documented_shape(context);
    EXPECT_EQ(context["hostname"], "vm");
    EXPECT_EQ(context["kernel"], json({{"sysname", "Linux"},
                                       {"release", "6.18.44-fc-v669"},
                                       {"version", "#1 SMP PREEMPT_DYNAMIC @0"}}));
    EXPECT_EQ(context["machine"], "x86_64");
    EXPECT_EQ(context["os"], json({{"id", "debian"},
                                   {"name", "Debian GNU/Linux"},
                                   {"version_id", "12"},
                                   {"pretty_name", "Debian GNU/Linux 12 (bookworm)"}}));
    EXPECT_EQ(context["termux_version"], nullptr);
    EXPECT_EQ(context["cpu"], json({{"model", "Intel(R) Xeon(R) Processor"},
                                    {"vendor", "GenuineIntel"},
                                    {"count", 2},
                                    {"frequency_mhz", 2600.0}}));
    EXPECT_EQ(context["memory_total_bytes"], 24684084ull * 1024);
    EXPECT_EQ(context["cwd"], "/home/me/project");
    EXPECT_EQ(context["git"], json({{"commit", "9fceb02d0ae598e95dc970b74767f19372d61af8"},
                                    {"branch", "main"},
                                    {"dirty", true}}));
    EXPECT_EQ(context["ci"]["name"], "github-actions");
    EXPECT_EQ(context["ci"]["build"], "99");
}

TEST(ExecutionContext, HiddenProcFilesGiveNullsNotErrors) {
    FakeSources nothing;  // every file, variable, command and call fails
    json context = gather_execution_context(nothing);
    expect_documented_shape(context);
    EXPECT_EQ(context,
              json({{"hostname", nullptr},
                    {"kernel", {{"sysname", nullptr}, {"release", nullptr}, {"version", nullptr}}},
                    {"machine", nullptr},
                    {"os",
                     {{"id", nullptr},
                      {"name", nullptr},
                      {"version_id", nullptr},
                      {"pretty_name", nullptr}}},
                    {"termux_version", nullptr},
                    {"cpu",
                     {{"model", nullptr},
                      {"vendor", nullptr},
                      {"count", nullptr},
                      {"frequency_mhz", nullptr}}},
                    {"memory_total_bytes", nullptr},
                    {"cwd", nullptr},
                    {"git", nullptr},
                    {"ci", nullptr}}));
}

TEST(ExecutionContext, TermuxPhoneWithoutOsReleaseOrMhz) {
    FakeSources sources;
    sources.files = {{"/proc/cpuinfo", recorded("cpuinfo-aarch64-android-tensor-g2")},
                     {"/proc/meminfo", recorded("meminfo-aarch64-android")},
                     {"/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "1803000\n"},
                     {"/sys/devices/system/cpu/cpu4/cpufreq/cpuinfo_max_freq", "2348000\n"},
                     {"/sys/devices/system/cpu/cpu6/cpufreq/cpuinfo_max_freq", "2850000\n"}};
    sources.uts = Uname{"Linux", "localhost", "5.10.157-android13-4", "#1 SMP PREEMPT", "aarch64"};
    sources.online = 8;
    sources.environment = {{"TERMUX_VERSION", "0.118.0"}};
    json context = gather_execution_context(sources);
    expect_documented_shape(context);
    EXPECT_EQ(context["hostname"], "localhost");  // from uname when gethostname fails
    EXPECT_EQ(context["machine"], "aarch64");
    EXPECT_EQ(context["termux_version"], "0.118.0");
    EXPECT_TRUE(context["os"]["id"].is_null());
    EXPECT_EQ(context["cpu"], json({{"model", "Cortex-A55 + Cortex-A78 + Cortex-X1"},
                                    {"vendor", "ARM"},
                                    {"count", 8},
                                    {"frequency_mhz", 2850.0}}));
    EXPECT_EQ(context["memory_total_bytes"], 7672836ull * 1024);
}

TEST(ExecutionContext, ScalingCurFreqWhenTheMaximumIsHidden) {
    FakeSources sources;
    sources.files = {{"/proc/cpuinfo", recorded("cpuinfo-aarch64-android-sm8150")},
                     {"/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "1785600\n"}};
    sources.online = 8;
    json context = gather_execution_context(sources);
    EXPECT_EQ(context["cpu"]["model"], "Qualcomm Technologies, Inc SM8150");
    EXPECT_EQ(context["cpu"]["frequency_mhz"], 1785.6);
}

TEST(ExecutionContext, PytestMonitorVariablesForceOrSupplyTheFrequency) {
    FakeSources x86;
    x86.files = {{"/proc/cpuinfo", recorded("cpuinfo-x86_64-xeon")}};
    x86.environment = {{"PYTEST_MONITOR_CPU_FREQ", "3000.5"}};
    EXPECT_EQ(gather_execution_context(x86)["cpu"]["frequency_mhz"], 2600.0);  // measured wins
    x86.environment["PYTEST_MONITOR_FORCE_CPU_FREQ"] = "1";
    EXPECT_EQ(gather_execution_context(x86)["cpu"]["frequency_mhz"], 3000.5);
    x86.environment["PYTEST_MONITOR_CPU_FREQ"] = "fast";
    EXPECT_TRUE(gather_execution_context(x86)["cpu"]["frequency_mhz"].is_null());

    FakeSources hidden;  // no MHz, no cpufreq: the variable is the fallback
    hidden.files = {{"/proc/cpuinfo", recorded("cpuinfo-aarch64-android-sm8150")}};
    EXPECT_TRUE(gather_execution_context(hidden)["cpu"]["frequency_mhz"].is_null());
    hidden.environment = {{"PYTEST_MONITOR_CPU_FREQ", "2840"}};
    EXPECT_EQ(gather_execution_context(hidden)["cpu"]["frequency_mhz"], 2840.0);
}

TEST(ExecutionContext, CpuCountFallsBackToTheOnlineListThenToCpuinfo) {
    FakeSources sources;
    sources.files = {{"/proc/cpuinfo", recorded("cpuinfo-aarch64-android-sm8150")},
                     {"/sys/devices/system/cpu/online", "0-5\n"}};
    EXPECT_EQ(gather_execution_context(sources)["cpu"]["count"], 6);
    sources.files.erase("/sys/devices/system/cpu/online");
    EXPECT_EQ(gather_execution_context(sources)["cpu"]["count"], 8);
}

TEST(ExecutionContext, OsReleaseFallsBackToUsrLib) {
    FakeSources sources;
    sources.files = {{"/usr/lib/os-release", recorded("os-release-alpine-unquoted")}};
    EXPECT_EQ(gather_execution_context(sources)["os"]["id"], "alpine");
}

TEST(ExecutionContext, EmptyTermuxVersionIsNull) {
    FakeSources sources;
    sources.environment = {{"TERMUX_VERSION", ""}};
    EXPECT_TRUE(gather_execution_context(sources)["termux_version"].is_null());
}

TEST(ExecutionContext, RealSystemGivesHostnameAndCpuCount) {
    json context = gather_execution_context(system_sources());
    expect_documented_shape(context);
    ASSERT_TRUE(context["hostname"].is_string());
    EXPECT_FALSE(context["hostname"].get<std::string>().empty());
    ASSERT_TRUE(context["cpu"]["count"].is_number_integer());
    EXPECT_GT(context["cpu"]["count"].get<int>(), 0);
    EXPECT_EQ(context["kernel"]["sysname"], "Linux");
    EXPECT_TRUE(context["machine"].is_string());
    EXPECT_TRUE(context["cwd"].is_string());
    ASSERT_TRUE(context["memory_total_bytes"].is_number_unsigned());
    EXPECT_GT(context["memory_total_bytes"].get<std::uint64_t>(), 0u);
}

}  // namespace
}  // namespace blackbox::context
