// pytest-monitor's EXECUTION_CONTEXTS row and its hash, as its client computes them: the figures
// below are what its client (1.7.0) posted from this kind of machine, hash included
// (tests/unit/data/serve/pytest_monitor_client_sessions.json).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/store/execution_context_row.hpp>

namespace blackbox::store {
namespace {

nlohmann::json machine() {
    return nlohmann::json::parse(R"({
        "hostname": "vm",
        "kernel": {"sysname": "Linux", "release": "6.18.44-fc-v1300", "version": "#1"},
        "machine": "x86_64",
        "cpu": {"model": "AMD EPYC", "vendor": "AuthenticAMD", "count": 2,
                "frequency_mhz": 2596.13},
        "memory_total_bytes": 25276182528
    })");
}

TEST(ExecutionContextRow, WithThePluginsFactsItIsPytestMonitorsOwnRowAndHash) {
    auto context = machine();
    context["python"] = {{"version", "3.11.2"}, {"implementation", "CPython"}};
    context["pytest_monitor"] = {
        {"python_info", "3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0]"},
        {"cpu_type", ""},
        {"machine_node", "localhost"},
        {"cpu_frequency", "2596.13"}};
    const auto row = execution_context_row(context);
    EXPECT_EQ(row.env_h, "9e78811806859c5b779fa3d7bc94e564");  // the client's
    EXPECT_EQ(row.cpu_count, 2);
    EXPECT_EQ(row.cpu_frequency_mhz, 2596);
    EXPECT_EQ(row.cpu_type, "");
    EXPECT_EQ(row.ram_total_mb, 24105);
    EXPECT_EQ(row.machine_node, "localhost");
    EXPECT_EQ(row.machine_type, "x86_64");
    EXPECT_EQ(row.machine_arch, "64bit");
    EXPECT_EQ(row.system_info, "Linux - 6.18.44-fc-v1300");
    EXPECT_EQ(row.python_info, "3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0]");
}

TEST(ExecutionContextRow, WithoutThemTheFormerRowStays) {
    const auto row = execution_context_row(machine());
    EXPECT_EQ(row.machine_node, "vm");
    EXPECT_EQ(row.cpu_type, "x86_64");
    EXPECT_NE(row.env_h, "9e78811806859c5b779fa3d7bc94e564");
}

}  // namespace
}  // namespace blackbox::store
