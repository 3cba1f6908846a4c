#include "sqlite_source.hpp"

#include <SQLiteCpp/Statement.h>

#include <blackbox/base/error.hpp>

namespace blackbox::compare {

namespace {

// The columns of a test, in the order read_test() reads them.
constexpr const char* kTestColumns =
    "t.nodeid, t.outcome, t.total_s, t.user_s, t.sys_s, t.peak_rss_bytes, t.retained_bytes";

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
    return test;
}

Session read_session(SQLite::Statement& query) {
    return {text_or_empty(query.getColumn(0)), text_or_empty(query.getColumn(1)),
            text_or_empty(query.getColumn(2)), text_or_empty(query.getColumn(3))};
}

// SQLite's failures leave this layer as the project's one exception type.
[[noreturn]] void rethrow(const SQLite::Database& database, const SQLite::Exception& error) {
    throw Error("cannot read the metrics database " + database.getFilename() + ": " + error.what(),
                kUnreadableDatabase);
}

}  // namespace

SqliteSource::SqliteSource(SQLite::Database& database) : database_(database) {}

std::vector<Session> SqliteSource::sessions() {
    try {
        SQLite::Statement query(database_,
                                "SELECT session_h, run_id, env_h, started FROM blackbox_runs "
                                "ORDER BY started, run_id");
        std::vector<Session> sessions;
        while (query.executeStep()) {
            sessions.push_back(read_session(query));
        }
        return sessions;
    } catch (const SQLite::Exception& error) {
        rethrow(database_, error);
    }
}

std::vector<TestFigures> SqliteSource::tests(const std::string& session_h) {
    try {
        SQLite::Statement query(database_, std::string("SELECT ") + kTestColumns +
                                               " FROM blackbox_tests t WHERE t.session_h = ?");
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
                                    kTestColumns +
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
