// The schema against its documentation: every table and column docs/formats/metrics-db.md lists,
// with pytest-monitor's names and types, and nothing more.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <blackbox/store/database.hpp>
#include <blackbox/store/schema.hpp>

#include "../test_data.hpp"
#include "scratch_directory.hpp"

namespace blackbox::store {
namespace {

namespace fs = std::filesystem;

struct Column {
    std::string name;
    std::string type;  // the documented type's first word, lower case ("varchar(64)", "text")
};

std::string lower(std::string text) {
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

// The tables of docs/formats/metrics-db.md: a "### `NAME`" heading, then rows
// "| `column` | type, … | value |" (several columns may share a row: "`started`, `ended`").
std::map<std::string, std::vector<Column>> documented_tables() {
    std::ifstream file(blackbox::testing::test_data() / ".." / ".." / ".." / "docs" / "formats" /
                       "metrics-db.md");
    std::map<std::string, std::vector<Column>> tables;
    std::string line, table;
    while (std::getline(file, line)) {
        if (line.rfind("#", 0) == 0) {
            table = line.rfind("### `", 0) == 0 ? line.substr(5, line.find('`', 5) - 5) : "";
            continue;
        }
        if (table.empty() || line.rfind("| `", 0) != 0) {
            continue;
        }
        auto names_end = line.find(" | ", 2);
        auto type_end = line.find(" | ", names_end + 3);
        auto names = line.substr(2, names_end - 2);
        auto type = lower(line.substr(names_end + 3, type_end - names_end - 3));
        type = type.substr(0, type.find(','));
        std::istringstream split(names);
        std::string name;
        while (std::getline(split, name, ',')) {
            auto first = name.find('`');
            auto last = name.rfind('`');
            tables[table].push_back({name.substr(first + 1, last - first - 1), type});
        }
    }
    return tables;
}

std::vector<Column> actual_columns(SQLite::Database& database, const std::string& table) {
    SQLite::Statement query(database, "SELECT name, type FROM pragma_table_info(?)");
    query.bind(1, table);
    std::vector<Column> columns;
    while (query.executeStep()) {
        columns.push_back({query.getColumn(0).getString(), lower(query.getColumn(1).getString())});
    }
    return columns;
}

TEST(Schema, HasEveryDocumentedTableAndColumnWithItsType) {
    ScratchDirectory scratch;
    auto database = open_database(scratch / "metrics.db");
    auto documented = documented_tables();
    ASSERT_EQ(documented.size(), 7U) << "the doc's tables were not all found";
    for (const auto& [table, columns] : documented) {
        auto actual = actual_columns(database, table);
        ASSERT_EQ(actual.size(), columns.size()) << table;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            EXPECT_EQ(actual[i].name, columns[i].name) << table;
            // SQLite keeps the declared type: the doc's "real" is our "real", its
            // "varchar(64), primary key" our "varchar(64)".
            EXPECT_EQ(actual[i].type, columns[i].type) << table << "." << columns[i].name;
        }
    }
}

TEST(Schema, HasPytestMonitorsColumnsInItsOrder) {
    ScratchDirectory scratch;
    auto database = open_database(scratch / "metrics.db");
    auto names = [&database](const std::string& table) {
        std::vector<std::string> result;
        for (const auto& column : actual_columns(database, table)) {
            result.push_back(column.name);
        }
        return result;
    };
    // As pytest-monitor's documentation lists them; OUTCOME and NODEID are ours, at the end.
    EXPECT_EQ(names("TEST_METRICS"),
              (std::vector<std::string>{"SESSION_H", "ENV_H", "ITEM_START_TIME", "ITEM_PATH",
                                        "ITEM", "ITEM_VARIANT", "ITEM_FS_LOC", "KIND", "COMPONENT",
                                        "TOTAL_TIME", "USER_TIME", "KERNEL_TIME", "CPU_USAGE",
                                        "MEM_USAGE", "OUTCOME", "NODEID"}));
    EXPECT_EQ(names("TEST_SESSIONS"),
              (std::vector<std::string>{"SESSION_H", "RUN_DATE", "SCM_ID", "RUN_DESCRIPTION"}));
    EXPECT_EQ(
        names("EXECUTION_CONTEXTS"),
        (std::vector<std::string>{"ENV_H", "CPU_COUNT", "CPU_FREQUENCY_MHZ", "CPU_TYPE",
                                  "CPU_VENDOR", "RAM_TOTAL_MB", "MACHINE_NODE", "MACHINE_TYPE",
                                  "MACHINE_ARCH", "SYSTEM_INFO", "PYTHON_INFO"}));
}

TEST(Schema, IsTheCurrentVersionInWalMode) {
    ScratchDirectory scratch;
    auto database = open_database(scratch / "metrics.db");
    EXPECT_EQ(database.execAndGet("PRAGMA user_version").getInt(), kSchemaVersion);
    EXPECT_EQ(database.execAndGet("PRAGMA journal_mode").getString(), "wal");
    EXPECT_EQ(inspect_schema(database), SchemaState::current);
}

TEST(Schema, AnIndexMissingFromADatabaseOfTheSameVersionIsAddedWhenItIsOpenedForWriting) {
    ScratchDirectory scratch;
    { open_database(scratch / "metrics.db").exec("DROP INDEX TEST_METRICS_SESSION_NODEID"); }
    auto database = open_database(scratch / "metrics.db");
    // A chunk sent again replaces its rows one by one: each lookup must use the index.
    SQLite::Statement plan(database,
                           "EXPLAIN QUERY PLAN DELETE FROM TEST_METRICS WHERE SESSION_H = 'a' AND "
                           "KIND = 'function' AND NODEID = 't.py::t' AND ITEM_START_TIME IS NULL");
    std::string steps;
    while (plan.executeStep()) {
        steps += plan.getColumn(3).getString() + "\n";
    }
    EXPECT_NE(steps.find("TEST_METRICS_SESSION_NODEID"), std::string::npos) << steps;
}

// The indexes keyed by a test first are retired (schema.cpp says why); a user's own index stays.
TEST(Schema, RetiredIndexesAreDroppedWhenTheDatabaseIsOpenedForWritingAndAUsersOwnKept) {
    ScratchDirectory scratch;
    {
        auto database = open_database(scratch / "metrics.db");
        database.exec(
            "CREATE INDEX TEST_METRICS_ITEM_VARIANT ON TEST_METRICS(ITEM_VARIANT); CREATE INDEX "
            "blackbox_tests_nodeid ON blackbox_tests(nodeid); CREATE INDEX TEST_METRICS_SESSION_H "
            "ON TEST_METRICS(SESSION_H); CREATE INDEX mine ON blackbox_tests(outcome); DROP "
            "INDEX blackbox_runs_started");
    }
    auto database = open_database(scratch / "metrics.db");
    const auto has = [&](const char* name) {
        SQLite::Statement query(database, "SELECT 1 FROM sqlite_master WHERE name = ?");
        query.bind(1, name);
        return query.executeStep();
    };
    EXPECT_FALSE(has("TEST_METRICS_ITEM_VARIANT"));
    EXPECT_FALSE(has("blackbox_tests_nodeid"));
    EXPECT_FALSE(has("TEST_METRICS_SESSION_H"));
    EXPECT_TRUE(has("mine"));
    EXPECT_TRUE(has("blackbox_runs_started"));
    // A run's metrics are still found by their session through (SESSION_H, NODEID).
    SQLite::Statement plan(database,
                           "EXPLAIN QUERY PLAN SELECT 1 FROM TEST_METRICS WHERE SESSION_H = 'a'");
    ASSERT_TRUE(plan.executeStep());
    EXPECT_NE(plan.getColumn(3).getString().find("TEST_METRICS_SESSION_NODEID"), std::string::npos);
}

// A test's history: the runs walked from the newest by their index, the test found in each by
// the primary key, no sort (the server's and `blackbox history`'s queries have this shape).
TEST(Schema, ATestsHistoryWalksTheRunsByTheirStartAndFindsTheTestByItsKey) {
    ScratchDirectory scratch;
    auto database = open_database(scratch / "metrics.db");
    SQLite::Statement plan(database,
                           "EXPLAIN QUERY PLAN SELECT t.outcome FROM blackbox_runs r CROSS JOIN "
                           "blackbox_tests t ON t.session_h = r.session_h AND t.nodeid = 't.py::t' "
                           "ORDER BY r.started DESC, r.rowid DESC LIMIT 10");
    std::string steps;
    while (plan.executeStep()) {
        steps += plan.getColumn(3).getString() + "\n";
    }
    EXPECT_NE(steps.find("SCAN r USING INDEX blackbox_runs_started"), std::string::npos) << steps;
    EXPECT_NE(steps.find("SEARCH t USING INDEX sqlite_autoindex_blackbox_tests_1 (session_h=? "
                         "AND nodeid=?)"),
              std::string::npos)
        << steps;
    EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << steps;
}

TEST(Schema, CreatesTheDatabasesDirectory) {
    ScratchDirectory scratch;
    open_database(scratch / ".blackbox" / "metrics.db");
    EXPECT_TRUE(fs::is_regular_file(scratch / ".blackbox" / "metrics.db"));
}

TEST(Schema, DefaultPathIsUnderTheStateDirectory) {
    EXPECT_EQ(default_database_path("/home/dev/project"),
              fs::path("/home/dev/project/.blackbox/metrics.db"));
}

}  // namespace
}  // namespace blackbox::store
