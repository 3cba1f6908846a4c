#pragma once

// The dashboard's reads (docs/http-api.md gives their JSON), written once for every backend:
// each read's query, built from the tables' description in a dialect (placeholders, text order),
// and what turns its rows into the JSON the routes answer. A backend runs a read's query
// through a ReadRunner, whose rows are objects keyed by the columns' names with values null,
// integer, real or text, as SQLite's column types give them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <blackbox/store/dialect.hpp>
#include <blackbox/store/execution_context_row.hpp>
#include <blackbox/store/session_row.hpp>

namespace blackbox::store {

enum class Read {
    runs,            // (limit): the newest runs
    run_head,        // (session_h): a run's row with its session's
    run_tests,       // (session_h)
    run_crashes,     // (session_h)
    run_has_report,  // (session_h)
    history,         // (nodeid, limit): a test's rows, newest run first
    context,         // (env_h): pytest-monitor's protocol reads an execution context back
    session,         // (session_h): and a session, with its run's id
};
inline constexpr Read kReads[] = {Read::runs,        Read::run_head,       Read::run_tests,
                                  Read::run_crashes, Read::run_has_report, Read::history,
                                  Read::context,     Read::session};

// A name for the read's prepared statement.
std::string_view read_name(Read read);
// The read's query in `dialect`.
std::string read_sql(Read read, const Dialect& dialect);

using ReadParameter = std::variant<std::string, std::int64_t>;

class ReadRunner {
  public:
    virtual ~ReadRunner() = default;
    // The read's rows, in the query's order, as a JSON array of objects.
    virtual nlohmann::json rows(Read read, const std::vector<ReadParameter>& parameters) = 0;
};

// The newest `limit` runs, newest first.
nlohmann::json read_runs(ReadRunner& runner, std::size_t limit);
// One run with its tests and crashes, and `report`: whether a report is stored; nullopt when
// unknown.
std::optional<nlohmann::json> read_run(ReadRunner& runner, const std::string& session_h);
// A test's rows across runs, oldest first, the newest `limit` of them.
nlohmann::json read_test_history(ReadRunner& runner, const std::string& nodeid, std::size_t limit);

// pytest-monitor's protocol: a context or a session as stored (NULL read as 0 or ""); nullopt
// when unknown.
std::optional<ExecutionContextRow> read_context(ReadRunner& runner, const std::string& env_h);
std::optional<SessionRow> read_session(ReadRunner& runner, const std::string& session_h);

}  // namespace blackbox::store
