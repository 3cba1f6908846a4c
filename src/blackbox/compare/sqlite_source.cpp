#include "sqlite_source.hpp"

#include <SQLiteCpp/Statement.h>

#include <blackbox/base/error.hpp>

namespace blackbox::compare {

namespace {

// The columns of a test, in the order read_test() reads them; the scheduler's figures, added in
// place later, are read as NULL from a file no newer blackbox has written into.
constexpr const char* kTestColumns =
    "t.nodeid, t.outcome, t.total_s, t.user_s, t.sys_s, t.peak_rss_bytes, t.retained_bytes, "
    "t.rss_before_bytes, ";
constexpr const char* kSchedulerColumns = "t.main_cpu_s, t.run_delay_s";
constexpr const char* kNoSchedulerColumns = "NULL, NULL";

std::optional<double> real_or_empty(const SQLite::Column& column) {
    if (column.isNull()) {
        return std::nullopt;
    }
    return column.getDouble();
}

std::optional<std::int64_t> integer_or_empty(const SQLite::Column& column) {
    if (column.isNull()) {
        return std::nullopt;
    }
    return column.getInt64();
}

std::string text_or_empty(const SQLite::Column& column) {
    return column.isNull() ? std::string() : column.getString();
}

TestFigures read_test(SQLite::Statement& query, int first) {
    TestFigures test;
    test.nodeid = text_or_empty(query.getColumn(first));
    test.outcome = text_or_empty(query.getColumn(first + 1));
    test.wall_s = real_or_empty(query.getColumn(first + 2));
    auto user = real_or_empty(query.getColumn(first + 3));
    auto sys = real_or_empty(query.getColumn(first + 4));
    if (user && sys) {
        test.cpu_s = *user + *sys;
    }
    test.peak_rss_bytes = integer_or_empty(query.getColumn(first + 5));
    test.retained_bytes = integer_or_empty(query.getColumn(first + 6));
    test.rss_before_bytes = integer_or_empty(query.getColumn(first + 7));
    test.main_cpu_s = real_or_empty(query.getColumn(first + 8));
    test.run_delay_s = real_or_empty(query.getColumn(first + 9));
    return test;
}

Session read_session(SQLite::Statement& query) {
    Session session;
    session.session_h = text_or_empty(query.getColumn(0));
    session.run_id = text_or_empty(query.getColumn(1));
    session.env_h = text_or_empty(query.getColumn(2));
    session.started = text_or_empty(query.getColumn(3));
    return session;
}

// SQLite's failures leave this layer as the project's one exception type.
[[noreturn]] void rethrow(const SQLite::Database& database, const SQLite::Exception& error) {
    throw Error("cannot read the metrics database " + database.getFilename() + ": " + error.what(),
                kUnreadableDatabase);
}

bool has_column(SQLite::Database& database, const char* table, const char* column) {
    SQLite::Statement query(database, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
    query.bind(1, table);
    query.bind(2, column);
    return query.executeStep();
}

}  // namespace

SqliteSource::SqliteSource(SQLite::Database& database) : database_(database) {}

std::string SqliteSource::test_columns() {
    if (!scheduler_columns_) {
        try {
            scheduler_columns_ = has_column(database_, "blackbox_tests", "run_delay_s");
        } catch (const SQLite::Exception& error) {
            rethrow(database_, error);
        }
    }
    return std::string(kTestColumns) +
           (*scheduler_columns_ ? kSchedulerColumns : kNoSchedulerColumns);
}

std::vector<Session> SqliteSource::sessions() {
    try {
        // Columns added in place after version 2 (docs/formats/metrics-db.md) are absent from a
        // file no newer blackbox has written into: compare never migrates what it reads.
        const bool recorded = has_column(database_, "blackbox_runs", "settings");
        // Settings unknown (before the column): the workers its tests name, read only then.
        const std::string count_workers =
            "(SELECT COUNT(DISTINCT t.worker) FROM blackbox_tests t WHERE t.session_h = "
            "r.session_h)";
        std::string sql = "SELECT r.session_h, r.run_id, r.env_h, r.started, ";
        sql += recorded ? "r.settings, CASE WHEN r.settings IS NULL THEN " + count_workers +
                              " END, r.startup_s, r.collection_s, r.finish_s, "
                        : "NULL, " + count_workers + ", NULL, NULL, NULL, ";
        // The CPU count is pytest-monitor's table's (plan's default workers): a database made by
        // hand with our tables alone has none.
        sql += has_column(database_, "EXECUTION_CONTEXTS", "CPU_COUNT")
                   ? "e.CPU_COUNT FROM blackbox_runs r LEFT JOIN EXECUTION_CONTEXTS e ON e.ENV_H "
                     "= r.env_h"
                   : "NULL FROM blackbox_runs r";
        sql += " ORDER BY r.started, r.run_id";
        SQLite::Statement query(database_, sql);
        std::vector<Session> sessions;
        while (query.executeStep()) {
            auto session = read_session(query);
            if (!query.getColumn(4).isNull()) {
                session.settings = query.getColumn(4).getString();
            } else {
                auto workers = integer_or_empty(query.getColumn(5)).value_or(0);
                session.settings = settings_of_workers(static_cast<std::size_t>(workers));
            }
            session.course.startup_s = real_or_empty(query.getColumn(6));
            session.course.collection_s = real_or_empty(query.getColumn(7));
            session.course.finish_s = real_or_empty(query.getColumn(8));
            session.cpu_count = integer_or_empty(query.getColumn(9));
            sessions.push_back(std::move(session));
        }
        return sessions;
    } catch (const SQLite::Exception& error) {
        rethrow(database_, error);
    }
}

std::vector<TestFigures> SqliteSource::tests(const std::string& session_h) {
    try {
        SQLite::Statement query(
            database_, "SELECT " + test_columns() + " FROM blackbox_tests t WHERE t.session_h = ?");
        query.bind(1, session_h);
        std::vector<TestFigures> tests;
        while (query.executeStep()) {
            tests.push_back(read_test(query, 0));
        }
        return tests;
    } catch (const SQLite::Exception& error) {
        rethrow(database_, error);
    }
}

std::vector<HistoryPoint> SqliteSource::history(const std::string& nodeid) {
    try {
        SQLite::Statement query(database_,
                                std::string("SELECT r.session_h, r.run_id, r.env_h, r.started, ") +
                                    test_columns() +
                                    " FROM blackbox_runs r CROSS JOIN blackbox_tests t ON "
                                    "t.session_h = r.session_h AND t.nodeid = ? ORDER BY "
                                    "r.started, r.run_id");
        query.bind(1, nodeid);
        std::vector<HistoryPoint> points;
        while (query.executeStep()) {
            points.push_back({read_session(query), read_test(query, 4)});
        }
        return points;
    } catch (const SQLite::Exception& error) {
        rethrow(database_, error);
    }
}

std::vector<std::string> SqliteSource::nodeids_containing(const std::string& text,
                                                          std::size_t limit) {
    try {
        SQLite::Statement query(database_,
                                "SELECT DISTINCT nodeid FROM blackbox_tests WHERE "
                                "instr(nodeid, ?) > 0 ORDER BY nodeid LIMIT ?");
        query.bind(1, text);
        query.bind(2, static_cast<std::int64_t>(limit));
        std::vector<std::string> nodeids;
        while (query.executeStep()) {
            nodeids.push_back(text_or_empty(query.getColumn(0)));
        }
        return nodeids;
    } catch (const SQLite::Exception& error) {
        rethrow(database_, error);
    }
}

}  // namespace blackbox::compare
