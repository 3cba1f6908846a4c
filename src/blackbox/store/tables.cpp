#include <stdexcept>

#include <blackbox/store/tables.hpp>

namespace blackbox::store {

namespace {

// None is keyed by a test first: such an index takes an entry on a page of its own for each test
// of a run, and writing those pages was half of what a server's writer spent on a row. A test's
// history walks the runs from the newest (blackbox_runs_started) and finds the test in each by
// the primary key (session_h, nodeid): as many lookups as runs read, which a history's limit
// bounds.
constexpr IndexKey kMetricsBySession[] = {{"SESSION_H"}, {"NODEID"}};
constexpr IndexKey kRunsByEnv[] = {{"env_h"}, {"started"}};
constexpr IndexKey kRunsByStart[] = {{"started", true}};
constexpr IndexKey kCrashesBySession[] = {{"session_h"}};
constexpr Index kIndexes[] = {
    {"TEST_METRICS_SESSION_NODEID", kTestMetrics, kMetricsBySession},
    {"blackbox_runs_env_h_started", kRuns, kRunsByEnv},
    {"blackbox_runs_started", kRuns, kRunsByStart},
    {"blackbox_crashes_session_h", kCrashes, kCrashesBySession},
};

// Retired: TEST_METRICS(ITEM_VARIANT) and blackbox_tests(nodeid), keyed by a test, and
// TEST_METRICS(SESSION_H), whose one column leads TEST_METRICS(SESSION_H, NODEID), which serves
// the same lookups.
constexpr std::string_view kRetiredIndexes[] = {"TEST_METRICS_ITEM_VARIANT",
                                                "blackbox_tests_nodeid", "TEST_METRICS_SESSION_H"};

}  // namespace

std::span<const Table> tables() {
    return kTables;
}

const Table& table(std::string_view name) {
    for (const auto& candidate : kTables) {
        if (candidate.name == name) {
            return candidate;
        }
    }
    throw std::out_of_range("no table " + std::string(name));
}

const Column* find_column(const Table& table, std::string_view name) {
    for (const auto& column : table.columns) {
        if (column.name == name) {
            return &column;
        }
    }
    return nullptr;
}

std::span<const Index> indexes() {
    return kIndexes;
}

std::span<const std::string_view> retired_indexes() {
    return kRetiredIndexes;
}

std::string column_list(const Table& table) {
    std::string list;
    for (const auto& column : table.columns) {
        list += list.empty() ? "" : ", ";
        list += column.name;
    }
    return list;
}

std::vector<std::string> column_names(const Table& table) {
    std::vector<std::string> names;
    for (const auto& column : table.columns) {
        names.emplace_back(column.name);
    }
    return names;
}

}  // namespace blackbox::store
