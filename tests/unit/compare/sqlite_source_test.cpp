// Reading sessions and tests from a metrics database made by the store's own schema code, in
// memory; and the read-only opening of a file.

#include <SQLiteCpp/Database.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/compare/metrics_database.hpp>
#include <blackbox/compare/sqlite_source.hpp>
#include <blackbox/store/schema.hpp>

namespace blackbox::compare {
namespace {

class SqliteSourceTest : public ::testing::Test {
  protected:
    SqliteSourceTest() : database_(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
        store::migrate(database_, ":memory:");  // the store's own schema
        // Inserted out of order: the reader orders by start time.
        database_.exec(
            "INSERT INTO blackbox_runs (session_h, run_id, env_h, started) VALUES "
            "('bbbb', 'run-b', 'env1', '2026-01-02T10:00:00.000000'),"
            "('aaaa', 'run-a', 'env1', '2026-01-01T10:00:00.000000'),"
            "('cccc', 'run-c', 'env2', '2026-01-03T10:00:00.000000');"
            "INSERT INTO blackbox_tests (session_h, nodeid, outcome, total_s, user_s, sys_s, "
            "peak_rss_bytes, retained_bytes) VALUES "
            "('aaaa', 't.py::a', 'passed', 1.5, 1.0, 0.25, 52428800, 4096),"
            "('bbbb', 't.py::a', 'failed', 2.0, 1.5, 0.5, 62914560, -8192),"
            "('bbbb', 't.py::b', 'passed', NULL, NULL, 0.1, NULL, NULL),"
            "('cccc', 't.py::a', 'crashed', NULL, NULL, NULL, NULL, NULL);");
    }

    SQLite::Database database_;
};

TEST_F(SqliteSourceTest, ListsSessionsOldestFirst) {
    SqliteSource source(database_);
    auto sessions = source.sessions();
    ASSERT_EQ(sessions.size(), 3U);
    EXPECT_EQ(sessions[0].run_id, "run-a");
    EXPECT_EQ(sessions[0].session_h, "aaaa");
    EXPECT_EQ(sessions[0].env_h, "env1");
    EXPECT_EQ(sessions[1].run_id, "run-b");
    EXPECT_EQ(sessions[2].run_id, "run-c");
}

TEST_F(SqliteSourceTest, ReadsATestsFigures) {
    SqliteSource source(database_);
    auto tests = source.tests("aaaa");
    ASSERT_EQ(tests.size(), 1U);
    EXPECT_EQ(tests[0].nodeid, "t.py::a");
    EXPECT_EQ(tests[0].outcome, "passed");
    EXPECT_EQ(tests[0].wall_s, 1.5);
    EXPECT_EQ(tests[0].cpu_s, 1.25);  // user + sys
    EXPECT_EQ(tests[0].peak_rss_bytes, 52428800);
    EXPECT_EQ(tests[0].retained_bytes, 4096);
}

TEST_F(SqliteSourceTest, LeavesUnmeasuredFiguresEmpty) {
    SqliteSource source(database_);
    for (const auto& test : source.tests("bbbb")) {
        if (test.nodeid == "t.py::b") {
            EXPECT_FALSE(test.wall_s);
            EXPECT_FALSE(test.cpu_s);  // user_s is null: no CPU figure
            EXPECT_FALSE(test.peak_rss_bytes);
            EXPECT_FALSE(test.retained_bytes);
        }
    }
}

TEST_F(SqliteSourceTest, ReadsATestsHistoryOldestFirst) {
    SqliteSource source(database_);
    auto points = source.history("t.py::a");
    ASSERT_EQ(points.size(), 3U);
    EXPECT_EQ(points[0].session.run_id, "run-a");
    EXPECT_EQ(points[1].test.outcome, "failed");
    EXPECT_EQ(points[1].test.retained_bytes, -8192);
    EXPECT_EQ(points[2].test.outcome, "crashed");
    EXPECT_TRUE(source.history("t.py::nothing").empty());
}

TEST_F(SqliteSourceTest, SuggestsNodeIdsContainingAText) {
    SqliteSource source(database_);
    EXPECT_EQ(source.nodeids_containing("::", 5), (std::vector<std::string>{"t.py::a", "t.py::b"}));
    EXPECT_EQ(source.nodeids_containing("::", 1), (std::vector<std::string>{"t.py::a"}));
    EXPECT_TRUE(source.nodeids_containing("zzz", 5).empty());
}

class ScratchFile {
  public:
    ScratchFile()
        : path_(std::filesystem::temp_directory_path() /
                ("blackbox-compare-" + std::to_string(::getpid()) + ".db")) {}
    ~ScratchFile() { std::filesystem::remove(path_); }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

int open_error_status(const std::filesystem::path& path) {
    try {
        open_metrics_database(path);
    } catch (const Error& error) {
        return error.exit_code();
    }
    return 0;
}

void make_database(const std::filesystem::path& path, const char* sql) {
    SQLite::Database database(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    database.exec(sql);
}

TEST(MetricsDatabase, RefusesWhatHoldsNoBlackboxSession) {
    ScratchFile file;
    EXPECT_EQ(open_error_status(file.path()), 2);  // missing
    const char* refused[] = {
        "CREATE TABLE something_else (x INTEGER)",       // another program's
        "PRAGMA user_version = 99",                      // empty, but a newer version
        "CREATE TABLE t (x); PRAGMA user_version = 99",  // a newer version
        ("CREATE TABLE EXECUTION_CONTEXTS (ENV_H); CREATE TABLE TEST_SESSIONS (SESSION_H); "
         "CREATE TABLE TEST_METRICS (SESSION_H)"),  // pytest-monitor's, never ours
    };
    for (const char* sql : refused) {
        std::filesystem::remove(file.path());
        make_database(file.path(), sql);
        EXPECT_EQ(open_error_status(file.path()), 2) << sql;
    }
    std::filesystem::remove(file.path());
    std::ofstream(file.path()) << std::string(4096, 'x');  // not SQLite at all
    EXPECT_EQ(open_error_status(file.path()), 2);
}

TEST(MetricsDatabase, OpensOursReadOnly) {
    ScratchFile file;
    {
        SQLite::Database ours(file.path().string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        store::migrate(ours, file.path().string());
    }
    auto database = open_metrics_database(file.path());
    SqliteSource source(database);
    EXPECT_TRUE(source.sessions().empty());
    EXPECT_THROW(database.exec("DELETE FROM blackbox_runs"), SQLite::Exception);
}

}  // namespace
}  // namespace blackbox::compare
