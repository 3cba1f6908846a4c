// The tables' description and what is derived from it: each row's values fill its table's
// columns exactly, and the statements of both dialects name every column in order.

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include <blackbox/store/dialect.hpp>
#include <blackbox/store/reads.hpp>
#include <blackbox/store/row_values.hpp>
#include <blackbox/store/sql.hpp>
#include <blackbox/store/tables.hpp>

namespace blackbox::store {
namespace {

// Counts the values a row puts.
class Counter final : public ValueSink {
  public:
    void null() override { ++count; }
    void integer(std::int64_t) override { ++count; }
    void real(double) override { ++count; }
    void text(const std::string&) override { ++count; }
    std::size_t count = 0;
};

std::size_t columns_of(std::string_view name) {
    return table(name).columns.size();
}

TEST(Tables, EachRowPutsOneValuePerColumnOfItsTable) {
    const std::string session = "s", env = "e";
    Counter context, session_row, metrics, monitor, test, run, crash;
    context_values(ExecutionContextRow{}, context);
    session_values(session, SessionRow{}, session_row);
    metrics_values(session, env, MetricsRow{}, metrics);
    monitor_metric_values(MonitorMetric{}, monitor);
    test_values(session, TestRow{}, test);
    run_values(session, env, RunRow{}, "2026-01-01T00:00:00.000", run);
    crash_values(session, postmortem::Crash{}, crash);
    EXPECT_EQ(context.count, columns_of(kExecutionContexts));
    EXPECT_EQ(session_row.count, columns_of(kTestSessions));
    EXPECT_EQ(metrics.count, columns_of(kTestMetrics));
    EXPECT_EQ(monitor.count, columns_of(kTestMetrics));
    EXPECT_EQ(test.count, columns_of(kTests));
    EXPECT_EQ(run.count, columns_of(kRuns));
    EXPECT_EQ(crash.count, columns_of(kCrashes));
}

TEST(Tables, InsertsNameEveryColumnInOrderInBothDialects) {
    const auto& sessions = table(kTestSessions);
    EXPECT_EQ(insert_sql(sqlite_dialect(), sessions, Conflict::ignore),
              "INSERT OR IGNORE INTO TEST_SESSIONS (SESSION_H, RUN_DATE, SCM_ID, RUN_DESCRIPTION) "
              "VALUES (?1, ?2, ?3, ?4)");
    EXPECT_EQ(insert_sql(postgres_dialect(), sessions, Conflict::replace),
              "INSERT INTO TEST_SESSIONS (SESSION_H, RUN_DATE, SCM_ID, RUN_DESCRIPTION) VALUES "
              "($1, $2, $3, $4) ON CONFLICT (SESSION_H) DO UPDATE SET RUN_DATE = "
              "EXCLUDED.RUN_DATE, SCM_ID = EXCLUDED.SCM_ID, RUN_DESCRIPTION = "
              "EXCLUDED.RUN_DESCRIPTION");
    EXPECT_EQ(insert_sql(postgres_dialect(), sessions, Conflict::ignore),
              "INSERT INTO TEST_SESSIONS (SESSION_H, RUN_DATE, SCM_ID, RUN_DESCRIPTION) VALUES "
              "($1, $2, $3, $4) ON CONFLICT (SESSION_H) DO NOTHING");
}

TEST(Tables, ARunsRowsAreRemovedByItsSessionColumnInEveryTableThatHoldsThem) {
    EXPECT_EQ(remove_run_rows_sql(sqlite_dialect(), table(kTestMetrics)),
              "DELETE FROM TEST_METRICS WHERE SESSION_H = " + sqlite_dialect().placeholder(1));
    EXPECT_EQ(remove_run_rows_sql(postgres_dialect(), table(kRuns)),
              "DELETE FROM blackbox_runs WHERE session_h = $1");
    for (auto name : {kTestSessions, kTests, kCrashes}) {
        EXPECT_NO_THROW(remove_run_rows_sql(sqlite_dialect(), table(name))) << name;
    }
    EXPECT_THROW(remove_run_rows_sql(sqlite_dialect(), table(kExecutionContexts)),
                 std::logic_error);
}

TEST(Tables, DdlKeepsPytestMonitorsSpellingInSqliteAndMapsTypesInPostgres) {
    const auto sqlite = create_table_sql(sqlite_dialect(), table(kTestMetrics));
    EXPECT_NE(sqlite.find("TOTAL_TIME float"), std::string::npos) << sqlite;
    EXPECT_NE(sqlite.find("ITEM_PATH varchar(4096)"), std::string::npos) << sqlite;
    EXPECT_NE(sqlite.find("FOREIGN KEY (ENV_H) REFERENCES EXECUTION_CONTEXTS(ENV_H)"),
              std::string::npos)
        << sqlite;
    const auto postgres = create_table_sql(postgres_dialect(), table(kTestMetrics));
    EXPECT_NE(postgres.find("TOTAL_TIME double precision"), std::string::npos) << postgres;
    EXPECT_EQ(postgres.find("FOREIGN KEY"), std::string::npos) << postgres;
    const auto runs = create_table_sql(postgres_dialect(), table(kRuns));
    EXPECT_NE(runs.find("exit_code bigint"), std::string::npos) << runs;
    EXPECT_NE(runs.find("rowid bigint GENERATED ALWAYS AS IDENTITY"), std::string::npos) << runs;
    EXPECT_NE(create_table_sql(sqlite_dialect(), table(kRuns)).find("duration_s real"),
              std::string::npos);
}

TEST(Tables, ReadsDifferOnlyInTheDialectsWords) {
    for (auto read : kReads) {
        auto sqlite = read_sql(read, sqlite_dialect());
        auto postgres = read_sql(read, postgres_dialect());
        EXPECT_EQ(sqlite.find('$'), std::string::npos) << sqlite;
        EXPECT_EQ(postgres.find('?'), std::string::npos) << postgres;
        EXPECT_FALSE(read_name(read).empty());
    }
    EXPECT_NE(read_sql(Read::history, sqlite_dialect()).find("CROSS JOIN"), std::string::npos);
    EXPECT_NE(read_sql(Read::runs, postgres_dialect()).find("COLLATE \"C\" DESC NULLS LAST"),
              std::string::npos);
}

}  // namespace
}  // namespace blackbox::store
