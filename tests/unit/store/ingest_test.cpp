// Ingest of recorded runs and of a run written with the newest journal fields: the rows
// docs/formats/metrics-db.md promises, crashed tests included, not-run tests excluded, and the
// same rows again after a second ingest.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/ingest.hpp>
#include <blackbox/store/md5_hex.hpp>

#include "../test_data.hpp"
#include "scratch_directory.hpp"

namespace blackbox::store {
namespace {

namespace fs = std::filesystem;

fs::path recorded(const std::string& name) {
    return blackbox::testing::test_data() / "runs" / name;
}

// One column of every row of a query, as text ("NULL" for null), in the query's order.
std::vector<std::string> column_of(SQLite::Database& database, const std::string& sql) {
    SQLite::Statement query(database, sql);
    std::vector<std::string> values;
    while (query.executeStep()) {
        values.push_back(query.getColumn(0).isNull() ? "NULL" : query.getColumn(0).getString());
    }
    return values;
}

// Outcome per node id in `table` (TEST_METRICS or blackbox_tests).
std::map<std::string, std::string> outcomes(SQLite::Database& database, const std::string& sql) {
    SQLite::Statement query(database, sql);
    std::map<std::string, std::string> result;
    while (query.executeStep()) {
        result[query.getColumn(0).getString()] = query.getColumn(1).getString();
    }
    return result;
}

int count(SQLite::Database& database, const std::string& table) {
    return database.execAndGet("SELECT count(*) FROM " + table).getInt();
}

class IngestTest : public ::testing::Test {
  protected:
    IngestTest() : database_(open_database(scratch_ / "metrics.db")) {}

    ScratchDirectory scratch_;
    SQLite::Database database_;
};

TEST_F(IngestTest, StoresEveryTestThatRanWithItsOutcome) {
    auto summary = ingest_run_directory(database_, recorded("passed_failed_skipped"));
    EXPECT_EQ(summary.tests, 4U);
    EXPECT_EQ(summary.metrics, 4U);
    const std::map<std::string, std::string> expected{{"test_e.py::test_f", "failed"},
                                                      {"test_e.py::test_p", "passed"},
                                                      {"test_e.py::test_s", "skipped"},
                                                      {"test_e.py::test_xf", "xfailed"}};
    EXPECT_EQ(outcomes(database_, "SELECT NODEID, OUTCOME FROM TEST_METRICS"), expected);
    EXPECT_EQ(outcomes(database_, "SELECT nodeid, outcome FROM blackbox_tests"), expected);
    EXPECT_EQ(column_of(database_,
                        "SELECT ITEM_PATH || ' ' || ITEM || ' ' || ITEM_VARIANT || ' ' || "
                        "ITEM_FS_LOC || ' ' || KIND FROM TEST_METRICS WHERE ITEM = 'test_p'"),
              std::vector<std::string>{"test_e test_p test_p test_e.py function"});
    // The call phase of test_p: 8.649900064483518e-05 s in its journal.
    EXPECT_DOUBLE_EQ(
        database_.execAndGet("SELECT TOTAL_TIME FROM TEST_METRICS WHERE ITEM = 'test_p'")
            .getDouble(),
        8.649900064483518e-05);
    // A test skipped in its setup had no call: no time in it.
    EXPECT_EQ(database_.execAndGet("SELECT TOTAL_TIME FROM TEST_METRICS WHERE ITEM = 'test_s'")
                  .getDouble(),
              0.0);
}

TEST_F(IngestTest, TurnsMonotonicTimesIntoUtcWallTimes) {
    ingest_run_directory(database_, recorded("passed_failed_skipped"));
    // The journal's start: ns 5135585000111 at wall 1795324151.7737405; test_p's setup began
    // (its `begin` record) at ns 5135599364667, 0.014364556 s later.
    EXPECT_EQ(database_.execAndGet("SELECT ITEM_START_TIME FROM TEST_METRICS WHERE ITEM = 'test_p'")
                  .getString(),
              "2026-11-22T05:09:11.788105");
    EXPECT_EQ(database_.execAndGet("SELECT start FROM blackbox_tests WHERE nodeid LIKE '%test_p'")
                  .getString(),
              "2026-11-22T05:09:11.788105");
    // run.json's started_ns on the same clock.
    EXPECT_EQ(database_.execAndGet("SELECT RUN_DATE FROM TEST_SESSIONS").getString(),
              database_.execAndGet("SELECT started FROM blackbox_runs").getString());
}

TEST_F(IngestTest, WritesTheRunSessionAndContext) {
    auto summary = ingest_run_directory(database_, recorded("passed_failed_skipped"));
    SQLite::Statement run(database_,
                          "SELECT run_id, status, exit_code, collected, passed, failed, skipped, "
                          "xfailed, attempts, env_h FROM blackbox_runs WHERE session_h = ?");
    run.bind(1, summary.session_h);
    ASSERT_TRUE(run.executeStep());
    EXPECT_EQ(run.getColumn(0).getString(), "20261122T050911Z-fadbb9");
    EXPECT_EQ(run.getColumn(1).getString(), "failed");
    EXPECT_EQ(run.getColumn(3).getInt(), 4);
    EXPECT_EQ(run.getColumn(4).getInt(), 1);
    EXPECT_EQ(run.getColumn(5).getInt(), 1);
    EXPECT_EQ(run.getColumn(6).getInt(), 1);
    EXPECT_EQ(run.getColumn(7).getInt(), 1);
    EXPECT_EQ(run.getColumn(8).getInt(), 1);
    const auto env_h = run.getColumn(9).getString();
    EXPECT_EQ(database_.execAndGet("SELECT MACHINE_NODE FROM EXECUTION_CONTEXTS").getString(),
              "recorder");
    EXPECT_EQ(database_.execAndGet("SELECT ENV_H FROM EXECUTION_CONTEXTS").getString(), env_h);
    EXPECT_EQ(database_.execAndGet("SELECT DISTINCT ENV_H FROM TEST_METRICS").getString(), env_h);
    EXPECT_EQ(database_.execAndGet("SELECT RUN_DESCRIPTION FROM TEST_SESSIONS").getString(), "{}");
    EXPECT_EQ(summary.session_h.size(), 32U);
}

TEST_F(IngestTest, StoresTheRunsSettingsAndWhereItsTimeWentBesidesItsTests) {
    auto serial = ingest_run_directory(database_, recorded("passed_failed_skipped"));
    SQLite::Statement run(database_,
                          "SELECT settings, startup_s, collection_s, finish_s FROM blackbox_runs "
                          "WHERE session_h = ?");
    run.bind(1, serial.session_h);
    ASSERT_TRUE(run.executeStep());
    EXPECT_EQ(run.getColumn(0).getString(), R"({"workers":0})");
    // Its journal: `start` at ...585.000, the first `collect` at ...597.260, the first test at
    // ...599.340; the last test's teardown ended 4.9 ms before the journal's last record (no
    // supervisor: plain pytest).
    EXPECT_NEAR(run.getColumn(1).getDouble(), 0.012260084, 1e-9);
    EXPECT_NEAR(run.getColumn(2).getDouble(), 0.002104472, 1e-9);
    EXPECT_NEAR(run.getColumn(3).getDouble(), 0.004872038, 1e-9);

    // Two workers, one of which died and was replaced by a third: two at a time.
    auto xdist = ingest_run_directory(database_, recorded("xdist_worker_segfault"));
    EXPECT_EQ(database_
                  .execAndGet("SELECT settings FROM blackbox_runs WHERE session_h = '" +
                              xdist.session_h + "'")
                  .getString(),
              R"({"workers":2})");
}

TEST_F(IngestTest, ACrashedTestGetsACrashedRowAndTestsThatNeverRanGetNone) {
    auto summary = ingest_run_directory(database_, recorded("segfault_in_call"));
    EXPECT_EQ(summary.crashes, 1U);
    const std::map<std::string, std::string> expected{{"test_a.py::test_ok", "passed"},
                                                      {"test_a.py::test_segv", "crashed"}};
    EXPECT_EQ(outcomes(database_, "SELECT NODEID, OUTCOME FROM TEST_METRICS"), expected);
    EXPECT_EQ(outcomes(database_, "SELECT nodeid, outcome FROM blackbox_tests"), expected);
    EXPECT_EQ(column_of(database_,
                        "SELECT nodeid || ' ' || phase || ' ' || cause || ' ' || "
                        "signal FROM blackbox_crashes"),
              std::vector<std::string>{"test_a.py::test_segv call segfault 11"});
    EXPECT_EQ(database_.execAndGet("SELECT not_run FROM blackbox_runs").getInt(), 1);
    // It died in its call: no call duration, and a start time all the same.
    EXPECT_TRUE(
        database_.execAndGet("SELECT TOTAL_TIME FROM TEST_METRICS WHERE OUTCOME = 'crashed'")
            .isNull());
    EXPECT_FALSE(
        database_.execAndGet("SELECT ITEM_START_TIME FROM TEST_METRICS WHERE OUTCOME = 'crashed'")
            .isNull());
}

TEST_F(IngestTest, IngestingARunAgainReplacesItsRows) {
    auto first = ingest_run_directory(database_, recorded("xdist_worker_segfault"));
    const auto tables = {"TEST_METRICS",  "TEST_SESSIONS",  "EXECUTION_CONTEXTS",
                         "blackbox_runs", "blackbox_tests", "blackbox_crashes"};
    std::map<std::string, int> before;
    for (const auto* table : tables) {
        before[table] = count(database_, table);
    }
    auto second = ingest_run_directory(database_, recorded("xdist_worker_segfault"));
    EXPECT_EQ(second.session_h, first.session_h);
    for (const auto* table : tables) {
        EXPECT_EQ(count(database_, table), before[table]) << table;
    }
    EXPECT_GT(before["blackbox_tests"], 0);
}

TEST_F(IngestTest, StoresEveryRecordedRunSideBySide) {
    std::size_t runs = 0;
    for (const auto& entry : fs::directory_iterator(recorded(""))) {
        if (entry.is_directory()) {
            ingest_run_directory(database_, entry.path());
            ++runs;
        }
    }
    EXPECT_EQ(count(database_, "blackbox_runs"), static_cast<int>(runs));
    EXPECT_EQ(count(database_, "TEST_SESSIONS"), static_cast<int>(runs));
    // Workers are named in our table.
    EXPECT_FALSE(
        column_of(database_, "SELECT worker FROM blackbox_tests WHERE worker IS NOT NULL").empty());
}

// A run written by the plugin with pytest-monitor's controls (docs/formats/journal.md).
class MonitoredRun {
  public:
    explicit MonitoredRun(const fs::path& dir, const std::string& monitor) : dir_(dir) {
        fs::create_directories(dir / "journal");
        fs::create_directories(dir / "collected");
        std::ofstream(dir / "run.json") << R"({"format": 1, "id": "20260101T000000Z-abcdef",
            "recorder": "supervisor", "started": "2026-01-01T00:00:00.000Z",
            "started_ns": 1000000000000, "command": ["pytest"], "cwd": "/p",
            "context": {"hostname": "h", "git": {"commit": "c0ffee"},
                        "ci": {"name": "gitlab-ci", "build": "77", "branch": "main"}}})";
        std::ofstream(dir / "end.json") << R"({"ended": "2026-01-01T00:00:10.000Z",
            "duration_s": 10.0, "exit_code": 0, "forwarded_signal": null})";
        std::ofstream(dir / "journal" / "1-main-100.jsonl")
            << R"({"ev":"start","ns":1000000000000,"wall":1767225600.0,"v":1,"pid":100})"
               "\n"
            << R"({"ev":"session_start","ns":1000000000001,"monitor":)" << monitor << "}\n"
            << R"({"ev":"collection","ns":1000000000002,"count":3})"
               "\n"
            << test("t/test_a.py::test_p[1]", 1000500000000, 100 << 20, 40 << 20, 42 << 20)
            << test("t/test_a.py::TestK::test_q", 1001000000000, 50 << 20, 41 << 20, 41 << 20)
            << test("t/test_a.py::test_excluded", 1002000000000, 10 << 20, 41 << 20, 41 << 20)
            << R"({"ev":"scope","ns":1002500000000,"kind":"module","nodeid":"t/test_a.py",)"
            << R"("module":"t.test_a","name":"test_a","file":"t/test_a.py","component":"C",)"
            << R"("begin_ns":1000500000000,"cpu_user":1.0,"cpu_sys":0.5,"peak_rss":104857600,)"
            << R"("rss_before":41943040,"rss_after":42991616})"
               "\n"
            << R"({"ev":"scope","ns":1002500000000,"kind":"session","nodeid":"","module":null,)"
            << R"("name":"p","file":null,"component":"","begin_ns":1000500000000,)"
            << R"("cpu_user":1.0,"cpu_sys":0.5,"rss_before":1,"rss_after":2})"
               "\n"
            << R"({"ev":"session_end","ns":1003000000000,"exitstatus":0})"
               "\n"
            << R"({"ev":"exit","ns":1003000000001})"
               "\n";
        std::ofstream(dir / "collected" / "1-main-100.jsonl")
            << R"({"nodeid":"t/test_a.py::test_p[1]","file":"t/test_a.py","module":"t.test_a",)"
            << R"("cls":null,"func":"test_p","params":{"n":"1"},"component":"C",)"
            << R"("type":"function","variant":"test_p[n_1]"})"
               "\n"
            << R"({"nodeid":"t/test_a.py::TestK::test_q","file":"t/test_a.py","module":"t.test_a",)"
            << R"("cls":"TestK","func":"test_q","params":null,"component":"C",)"
            << R"("type":"unittest","variant":"test_q"})"
               "\n"
            << R"({"nodeid":"t/test_a.py::test_excluded","file":"t/test_a.py","module":"t.test_a",)"
            << R"("cls":null,"func":"test_excluded","params":null,"component":"C",)"
            << R"("type":"function","variant":"test_excluded","monitored":false})"
               "\n";
    }

    const fs::path& dir() const { return dir_; }

  private:
    // A passing test that began at `ns`: 0.1 s setup, 1 s call, 0.1 s teardown, 0.6 s of CPU.
    static std::string test(const std::string& nodeid, std::int64_t ns, std::int64_t peak,
                            std::int64_t before, std::int64_t after) {
        constexpr std::int64_t kTenth = 100'000'000;
        return fmt::format(
            R"({{"ev":"test","ns":{},"nodeid":"{}"}})"
            "\n"
            R"({{"ev":"end","ns":{},"phase":"setup","outcome":"passed","dur":0.1}})"
            "\n"
            R"({{"ev":"end","ns":{},"phase":"call","outcome":"passed","dur":1.0}})"
            "\n"
            R"({{"ev":"end","ns":{},"phase":"teardown","outcome":"passed","dur":0.1,)"
            R"("peak_rss":{},"rss_before":{},"rss_after":{},"cpu_user":0.5,"cpu_sys":0.1}})"
            "\n",
            ns, nodeid, ns + kTenth, ns + 11 * kTenth, ns + 12 * kTenth, peak, before, after);
    }

    fs::path dir_;
};

constexpr const char* kAllScopes =
    R"({"enabled":true,"scopes":["function","module","class","session"],"explicit_params":true,)"
    R"("component_prefix":null,"force_component":null,"description":"nightly",)"
    R"("tags":{"numpy":"1.17"}})";

TEST_F(IngestTest, WritesFunctionRowsOnlyForMonitoredTests) {
    MonitoredRun run(scratch_ / "run", kAllScopes);
    ingest_run_directory(database_, run.dir());
    EXPECT_EQ(column_of(database_,
                        "SELECT ITEM_VARIANT FROM TEST_METRICS WHERE KIND = 'function' "
                        "ORDER BY ITEM_VARIANT"),
              (std::vector<std::string>{"test_p[n_1]", "test_q"}));
    EXPECT_EQ(column_of(database_, "SELECT nodeid FROM blackbox_tests WHERE monitored = 0"),
              std::vector<std::string>{"t/test_a.py::test_excluded"});
    EXPECT_EQ(count(database_, "blackbox_tests"), 3);
    EXPECT_EQ(column_of(database_,
                        "SELECT DISTINCT COMPONENT FROM TEST_METRICS WHERE KIND = "
                        "'function'"),
              std::vector<std::string>{"C"});
}

TEST_F(IngestTest, ComputesTheFunctionFiguresFromTheJournal) {
    MonitoredRun run(scratch_ / "run", kAllScopes);
    ingest_run_directory(database_, run.dir());
    SQLite::Statement row(database_,
                          "SELECT ITEM_START_TIME, ITEM_PATH, ITEM, ITEM_FS_LOC, TOTAL_TIME, "
                          "USER_TIME, KERNEL_TIME, CPU_USAGE, MEM_USAGE FROM TEST_METRICS WHERE "
                          "NODEID = 't/test_a.py::test_p[1]'");
    ASSERT_TRUE(row.executeStep());
    EXPECT_EQ(row.getColumn(0).getString(), "2026-01-01T00:00:00.500000");  // 0.5 s after start
    EXPECT_EQ(row.getColumn(1).getString(), "t.test_a");
    EXPECT_EQ(row.getColumn(2).getString(), "test_p");
    EXPECT_EQ(row.getColumn(3).getString(), "t/test_a.py");
    EXPECT_DOUBLE_EQ(row.getColumn(4).getDouble(), 1.0);
    EXPECT_DOUBLE_EQ(row.getColumn(5).getDouble(), 0.5);
    EXPECT_DOUBLE_EQ(row.getColumn(6).getDouble(), 0.1);
    EXPECT_DOUBLE_EQ(row.getColumn(7).getDouble(), 0.6 / 1.2 * 100);
    EXPECT_DOUBLE_EQ(row.getColumn(8).getDouble(), 100.0);
    SQLite::Statement test(database_,
                           "SELECT peak_rss_bytes, peak_exact, rss_before_bytes, rss_after_bytes, "
                           "retained_bytes, total_s FROM blackbox_tests WHERE nodeid = "
                           "'t/test_a.py::test_p[1]'");
    ASSERT_TRUE(test.executeStep());
    EXPECT_EQ(test.getColumn(0).getInt64(), 100 << 20);
    EXPECT_EQ(test.getColumn(1).getInt(), 1);
    EXPECT_EQ(test.getColumn(2).getInt64(), 40 << 20);
    EXPECT_EQ(test.getColumn(3).getInt64(), 42 << 20);
    EXPECT_EQ(test.getColumn(4).getInt64(), 2 << 20);
    EXPECT_DOUBLE_EQ(test.getColumn(5).getDouble(), 1.2);
}

TEST_F(IngestTest, WritesTheScopesRowsThatWereAskedFor) {
    MonitoredRun run(scratch_ / "run", kAllScopes);
    ingest_run_directory(database_, run.dir());
    SQLite::Statement module(database_,
                             "SELECT ITEM_PATH, ITEM, ITEM_FS_LOC, TOTAL_TIME, MEM_USAGE, "
                             "OUTCOME, NODEID FROM TEST_METRICS WHERE KIND = 'module'");
    ASSERT_TRUE(module.executeStep());
    EXPECT_EQ(module.getColumn(0).getString(), "t.test_a");
    EXPECT_EQ(module.getColumn(1).getString(), "test_a");
    EXPECT_EQ(module.getColumn(2).getString(), "t/test_a.py");
    EXPECT_DOUBLE_EQ(module.getColumn(3).getDouble(), 2.0);
    EXPECT_DOUBLE_EQ(module.getColumn(4).getDouble(), 100.0);
    EXPECT_EQ(module.getColumn(5).getString(), "");
    EXPECT_EQ(module.getColumn(6).getString(), "t/test_a.py");
    EXPECT_EQ(column_of(database_, "SELECT ITEM FROM TEST_METRICS WHERE KIND = 'session'"),
              std::vector<std::string>{"p"});
}

TEST_F(IngestTest, StoresTheDescriptionTagsAndCiFields) {
    MonitoredRun run(scratch_ / "run", kAllScopes);
    ingest_run_directory(database_, run.dir());
    auto description = nlohmann::json::parse(
        database_.execAndGet("SELECT RUN_DESCRIPTION FROM TEST_SESSIONS").getString());
    EXPECT_EQ(description, nlohmann::json({{"description", "nightly"},
                                           {"numpy", "1.17"},
                                           {"pipeline_branch", "main"},
                                           {"pipeline_build_no", "77"},
                                           {"__ci__", "gitlab-ci"}}));
    EXPECT_EQ(database_.execAndGet("SELECT SCM_ID FROM TEST_SESSIONS").getString(), "c0ffee");
    EXPECT_EQ(database_.execAndGet("SELECT RUN_DATE FROM TEST_SESSIONS").getString(),
              "2026-01-01T00:00:00");
}

TEST_F(IngestTest, ScopesNotAskedForAndADisabledMonitorWriteNoMetrics) {
    MonitoredRun only_functions(scratch_ / "functions", R"({"scopes":["function"]})");
    ingest_run_directory(database_, only_functions.dir());
    EXPECT_EQ(column_of(database_, "SELECT DISTINCT KIND FROM TEST_METRICS"),
              std::vector<std::string>{"function"});

    MonitoredRun disabled(scratch_ / "disabled", R"({"enabled":false})");
    database_.exec("DELETE FROM TEST_METRICS");
    auto summary = ingest_run_directory(database_, disabled.dir());
    EXPECT_EQ(summary.metrics, 0U);
    EXPECT_EQ(count(database_, "TEST_METRICS"), 0);
    EXPECT_EQ(summary.tests, 3U);  // our own tables still have the run
}

TEST(Md5Hex, IsTheLowerCaseHexDigest) {
    EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace
}  // namespace blackbox::store
