// Opening what is already there: a pytest-monitor database is adopted with its rows, a current
// one is left alone, and a file that is not ours is refused with a clear error.

#include <SQLiteCpp/Database.h>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/schema.hpp>

#include "scratch_directory.hpp"

namespace blackbox::store {
namespace {

// pytest-monitor's own CREATE TABLE statements (its local database handler), and one row it
// wrote for a passing test.
constexpr const char* kPytestMonitorDatabase = R"(
CREATE TABLE IF NOT EXISTS TEST_SESSIONS(
    SESSION_H varchar(64) primary key not null unique, -- Session identifier
    RUN_DATE varchar(64), -- Date of test run
    SCM_ID varchar(128), -- SCM change id
    RUN_DESCRIPTION json
);
CREATE TABLE IF NOT EXISTS TEST_METRICS (
    SESSION_H varchar(64), -- Session identifier
    ENV_H varchar(64), -- Environment description identifier
    ITEM_START_TIME varchar(64), -- Effective start time of the test
    ITEM_PATH varchar(4096), -- Path of the item, following Python import specification
    ITEM varchar(2048), -- Name of the item
    ITEM_VARIANT varchar(2048), -- Optional parametrization of an item.
    ITEM_FS_LOC varchar(2048), -- Relative path from pytest invocation directory to the item's module.
    KIND varchar(64), -- Package, Module or function
    COMPONENT varchar(512) NULL, -- Tested component if any
    TOTAL_TIME float, -- Total time spent running the item
    USER_TIME float, -- time spent in user space
    KERNEL_TIME float, -- time spent in kernel space
    CPU_USAGE float, -- cpu usage
    MEM_USAGE float, -- Max resident memory used.
    FOREIGN KEY (ENV_H) REFERENCES EXECUTION_CONTEXTS(ENV_H),
    FOREIGN KEY (SESSION_H) REFERENCES TEST_SESSIONS(SESSION_H)
);
CREATE TABLE IF NOT EXISTS EXECUTION_CONTEXTS (
    ENV_H varchar(64) primary key not null unique,
    CPU_COUNT integer,
    CPU_FREQUENCY_MHZ integer,
    CPU_TYPE varchar(64),
    CPU_VENDOR varchar(256),
    RAM_TOTAL_MB integer,
    MACHINE_NODE varchar(512),
    MACHINE_TYPE varchar(32),
    MACHINE_ARCH varchar(16),
    SYSTEM_INFO varchar(256),
    PYTHON_INFO varchar(512)
);
INSERT INTO TEST_SESSIONS VALUES ('s1', '2021-03-01T10:00:00', 'abc', '{"msg": "old"}');
INSERT INTO EXECUTION_CONTEXTS VALUES ('e1', 8, 2600, 'x86_64', 'Intel', 16000, 'host',
    'x86_64', '64bit', 'Linux - 5.10', '3.9.2');
INSERT INTO TEST_METRICS VALUES ('s1', 'e1', '2021-03-01T10:00:01', 'tests.test_a', 'test_a',
    'test_a', 'tests/test_a.py', 'function', '', 0.5, 0.4, 0.1, 1.0, 12.5);
INSERT INTO TEST_METRICS VALUES ('s1', 'e1', '2021-03-01T10:00:01', 'tests.test_a', 'test_a',
    'test_a', 'tests/test_a.py', 'module', '', 0.6, 0.4, 0.1, 1.0, 12.5);
)";

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// The exit status and message of open_database's error, or -1 when it opened.
std::pair<int, std::string> open_error(const std::filesystem::path& path) {
    try {
        open_database(path);
    } catch (const Error& error) {
        return {error.exit_code(), error.what()};
    }
    return {-1, ""};
}

TEST(Migration, AdoptsAPytestMonitorDatabaseKeepingItsRows) {
    ScratchDirectory scratch;
    const auto path = scratch / ".pymon";
    {
        SQLite::Database pymon(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        pymon.exec(kPytestMonitorDatabase);
        EXPECT_EQ(inspect_schema(pymon), SchemaState::pytest_monitor);
    }
    auto database = open_database(path);
    EXPECT_EQ(database.execAndGet("PRAGMA user_version").getInt(), kSchemaVersion);
    EXPECT_TRUE(database.tableExists("blackbox_runs"));
    EXPECT_TRUE(database.tableExists("blackbox_tests"));
    EXPECT_TRUE(database.tableExists("blackbox_crashes"));
    EXPECT_EQ(database.execAndGet("SELECT count(*) FROM TEST_METRICS").getInt(), 2);
    EXPECT_EQ(database.execAndGet("SELECT RUN_DESCRIPTION FROM TEST_SESSIONS").getString(),
              R"({"msg": "old"})");
    // pytest-monitor stored only passing tests: its function rows are marked so.
    EXPECT_EQ(
        database.execAndGet("SELECT OUTCOME FROM TEST_METRICS WHERE KIND = 'function'").getString(),
        "passed");
    EXPECT_TRUE(
        database.execAndGet("SELECT OUTCOME FROM TEST_METRICS WHERE KIND = 'module'").isNull());
    EXPECT_TRUE(database.execAndGet("SELECT NODEID FROM TEST_METRICS LIMIT 1").isNull());
}

TEST(Migration, ReopensACurrentDatabaseUnchanged) {
    ScratchDirectory scratch;
    const auto path = scratch / "metrics.db";
    open_database(path).exec("INSERT INTO blackbox_runs (session_h, run_id) VALUES ('s', 'r')");
    auto database = open_database(path);
    EXPECT_EQ(database.execAndGet("SELECT run_id FROM blackbox_runs").getString(), "r");
}

TEST(Migration, BringsAVersion1DatabaseToVersion2KeepingItsRows) {
    ScratchDirectory scratch;
    const auto path = scratch / "metrics.db";
    {
        auto database = open_database(path);
        database.exec("DROP TABLE blackbox_reports; DROP INDEX TEST_METRICS_SESSION_NODEID");
        database.exec("INSERT INTO blackbox_runs (session_h, run_id) VALUES ('s', 'r')");
        database.exec("PRAGMA user_version = 1");
        EXPECT_EQ(inspect_schema(database), SchemaState::older);
    }
    auto database = open_database(path);
    EXPECT_EQ(database.execAndGet("PRAGMA user_version").getInt(), 2);
    EXPECT_TRUE(database.tableExists("blackbox_reports"));
    EXPECT_EQ(database.execAndGet("SELECT run_id FROM blackbox_runs").getString(), "r");
    EXPECT_EQ(database
                  .execAndGet("SELECT count(*) FROM sqlite_master WHERE name = "
                              "'TEST_METRICS_SESSION_NODEID'")
                  .getInt(),
              1);
}

// A column added to the tables' description since the file was written is added to it in place,
// at the same schema version, its old rows NULL there (here: a column dropped to stand for it).
TEST(Migration, AddsAColumnTheDescriptionGainedKeepingTheRows) {
    ScratchDirectory scratch;
    const auto path = scratch / "metrics.db";
    {
        auto database = open_database(path);
        database.exec(
            "INSERT INTO blackbox_tests (session_h, nodeid, retained_bytes) VALUES "
            "('s', 't', 5)");
        database.exec("ALTER TABLE blackbox_tests DROP COLUMN retained_bytes");
    }
    auto database = open_database(path);
    EXPECT_EQ(database.execAndGet("PRAGMA user_version").getInt(), 2);
    EXPECT_EQ(database.execAndGet("SELECT nodeid FROM blackbox_tests").getString(), "t");
    EXPECT_TRUE(database.execAndGet("SELECT retained_bytes FROM blackbox_tests").isNull());
}

TEST(Migration, TreatsAnEmptyFileAsANewDatabase) {
    ScratchDirectory scratch;
    write_text(scratch / "metrics.db", "");
    auto database = open_database(scratch / "metrics.db");
    EXPECT_TRUE(database.tableExists("TEST_METRICS"));
}

TEST(Migration, RefusesAFileThatIsNotSqlite) {
    ScratchDirectory scratch;
    const auto path = scratch / "metrics.db";
    const std::string text = "this is a text file, not a database\n";
    write_text(path, std::string(4096, 'x') + text);
    auto [status, message] = open_error(path);
    EXPECT_EQ(status, kDatabaseError);
    EXPECT_NE(message.find("is not a SQLite database"), std::string::npos) << message;
}

TEST(Migration, RefusesAForeignSqliteDatabaseAndLeavesItAlone) {
    ScratchDirectory scratch;
    const auto path = scratch / "app.db";
    {
        SQLite::Database other(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        other.exec("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ann')");
    }
    auto [status, message] = open_error(path);
    EXPECT_EQ(status, kDatabaseError);
    EXPECT_NE(message.find("another program"), std::string::npos) << message;
    SQLite::Database other(path.string());
    EXPECT_FALSE(other.tableExists("TEST_METRICS"));
    EXPECT_EQ(other.execAndGet("PRAGMA user_version").getInt(), 0);
    EXPECT_EQ(other.execAndGet("PRAGMA journal_mode").getString(), "delete");
}

TEST(Migration, RefusesAPytestMonitorLookalikeWithMoreTables) {
    ScratchDirectory scratch;
    const auto path = scratch / "mixed.db";
    {
        SQLite::Database other(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        other.exec(kPytestMonitorDatabase);
        other.exec("CREATE TABLE users (name TEXT)");
    }
    EXPECT_EQ(open_error(path).first, kDatabaseError);
}

TEST(Migration, RefusesANewerSchemaVersion) {
    ScratchDirectory scratch;
    const auto path = scratch / "metrics.db";
    open_database(path).exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion + 1));
    auto [status, message] = open_error(path);
    EXPECT_EQ(status, kDatabaseError);
    EXPECT_NE(message.find("newer"), std::string::npos) << message;
}

}  // namespace
}  // namespace blackbox::store
