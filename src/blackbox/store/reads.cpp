#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/json_text.hpp>
#include <blackbox/store/reads.hpp>
#include <blackbox/store/tables.hpp>

namespace blackbox::store {

namespace {

using nlohmann::json;

// `alias.column` for each of the table's columns named (each checked against the description),
// or every column but `except` when `names` is empty.
std::string columns(std::string_view alias, std::string_view table_name,
                    std::initializer_list<std::string_view> names, std::string_view except = "") {
    const auto& described = table(table_name);
    std::string list;
    auto add = [&](std::string_view name) {
        if (find_column(described, name) == nullptr) {
            throw std::out_of_range(fmt::format("no column {}.{}", table_name, name));
        }
        list += fmt::format("{}{}{}{}", list.empty() ? "" : ", ", alias, alias.empty() ? "" : ".",
                            name);
        // Keyed in lower case whichever database answers (PostgreSQL folds the names).
        const auto lower = postgres_dialect().folded(name);
        if (lower != name) {
            list += " AS " + lower;
        }
    };
    if (names.size() == 0) {
        for (const auto& column : described.columns) {
            if (column.name != except) {
                add(column.name);
            }
        }
    }
    for (auto name : names) {
        add(name);
    }
    return list;
}

// The run's commit and machine beside it. `branch` is selected as the run's context, and taken
// out of it by git_branch().
constexpr const char* kRunJoins =
    "LEFT JOIN TEST_SESSIONS s ON s.SESSION_H = r.session_h "
    "LEFT JOIN EXECUTION_CONTEXTS e ON e.ENV_H = r.env_h";

// Newest first; ties (a second's resolution): the later upload first.
std::string newest_first(const Dialect& dialect) {
    return fmt::format("ORDER BY {}, r.rowid DESC", dialect.order_key("r.started", true));
}

// A JSON column's value, or its text when it is not JSON.
json parsed(const json& text) {
    if (!text.is_string()) {
        return text;
    }
    json value = json::parse(text.get<std::string>(), nullptr, false);
    return value.is_discarded() ? text : value;
}

// What SQLite's `CASE WHEN json_valid(context) THEN json_extract(context, '$.git.branch') END`
// gives for a run's context text: NULL unless it is JSON with that path; text, integers and
// reals as themselves, booleans as 1 and 0, objects and arrays as their JSON text.
json git_branch(const json& context) {
    if (!context.is_string()) {
        return nullptr;
    }
    const json value = json::parse(context.get<std::string>(), nullptr, false);
    if (value.is_discarded() || !value.is_object()) {
        return nullptr;
    }
    const auto git = value.find("git");
    if (git == value.end() || !git->is_object()) {
        return nullptr;
    }
    const auto branch = git->find("branch");
    if (branch == git->end()) {
        return nullptr;
    }
    if (branch->is_boolean()) {
        return branch->get<bool>() ? 1 : 0;
    }
    if (branch->is_object() || branch->is_array()) {
        return base::json_text(*branch);
    }
    return *branch;
}

// A stored value as an integer column's, as SQLite reads one: NULL and text that is no number 0,
// a real truncated.
std::int64_t integer_of(const json& value) {
    if (value.is_number_integer()) {
        return value.get<std::int64_t>();
    }
    if (value.is_number_float()) {
        return static_cast<std::int64_t>(value.get<double>());
    }
    if (value.is_string()) {
        return std::strtoll(value.get<std::string>().c_str(), nullptr, 10);
    }
    return 0;
}

// A stored value as a text column's: NULL "", a number as its text.
std::string text_of(const json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    return value.is_null() ? "" : base::json_text(value);
}

json with_branches(json rows) {
    for (auto& row : rows) {
        row["branch"] = git_branch(row["branch"]);
    }
    return rows;
}

}  // namespace

std::string_view read_name(Read read) {
    switch (read) {
        case Read::runs:
            return "runs";
        case Read::run_head:
            return "run_head";
        case Read::run_tests:
            return "run_tests";
        case Read::run_crashes:
            return "run_crashes";
        case Read::run_has_report:
            return "has_report";
        case Read::history:
            return "history";
        case Read::context:
            return "find_context";
        case Read::session:
            return "find_session";
    }
    return "";
}

std::string read_sql(Read read, const Dialect& d) {
    switch (read) {
        case Read::runs:
            return fmt::format(
                "SELECT {}, s.SCM_ID AS scm_id, r.context AS branch, e.MACHINE_NODE AS machine "
                "FROM blackbox_runs r {} {} LIMIT {}",
                columns("r", kRuns,
                        {"session_h", "run_id", "started", "ended", "duration_s", "status",
                         "exit_code", "attempts", "collected", "passed", "failed", "skipped",
                         "errors", "crashed", "not_run"}),
                kRunJoins, newest_first(d), d.placeholder(1));
        case Read::run_head:
            return fmt::format(
                "SELECT {}, s.SCM_ID AS scm_id, s.RUN_DESCRIPTION AS description, "
                "e.MACHINE_NODE AS machine, e.SYSTEM_INFO AS system_info, e.CPU_VENDOR AS cpu, "
                "e.PYTHON_INFO AS python_info FROM blackbox_runs r {} WHERE r.session_h = {}",
                columns("r", kRuns, {}), kRunJoins, d.placeholder(1));
        case Read::run_tests:
            return fmt::format("SELECT {} FROM blackbox_tests WHERE session_h = {} ORDER BY {}, {}",
                               columns("", kTests,
                                       {"nodeid", "outcome", "worker", "attempt", "start",
                                        "setup_s", "call_s", "teardown_s", "total_s", "user_s",
                                        "sys_s", "peak_rss_bytes", "peak_exact", "retained_bytes"}),
                               d.placeholder(1), d.order_key("start", false),
                               d.order_key("nodeid", false));
        case Read::run_crashes:
            return fmt::format(
                "SELECT {} FROM blackbox_crashes WHERE session_h = {} ORDER BY rowid",
                columns("", kCrashes, {}, "session_h"), d.placeholder(1));
        case Read::run_has_report:
            return fmt::format("SELECT 1 FROM blackbox_reports WHERE session_h = {}",
                               d.placeholder(1));
        case Read::history:
            // The runs from the newest (their index on started), the test looked up in each by
            // its primary key: an ordered join keeps that order (no index leads from a node id
            // to its runs: tables.cpp).
            return fmt::format(
                "SELECT t.session_h, r.run_id, r.started, s.SCM_ID AS scm_id, r.context AS "
                "branch, e.MACHINE_NODE AS machine, {} FROM blackbox_runs r {} blackbox_tests t "
                "ON t.session_h = r.session_h AND t.nodeid = {} {} {} LIMIT {}",
                columns("t", kTests,
                        {"outcome", "call_s", "total_s", "peak_rss_bytes", "retained_bytes"}),
                d.ordered_join(), d.placeholder(1), kRunJoins, newest_first(d), d.placeholder(2));
        case Read::context:
            return fmt::format("SELECT {} FROM EXECUTION_CONTEXTS WHERE ENV_H = {}",
                               columns("", kExecutionContexts, {}), d.placeholder(1));
        case Read::session:
            return fmt::format(
                "SELECT {}, r.run_id FROM TEST_SESSIONS s LEFT JOIN blackbox_runs r ON "
                "r.session_h = s.SESSION_H WHERE s.SESSION_H = {}",
                columns("s", kTestSessions, {}), d.placeholder(1));
    }
    return "";
}

json read_runs(ReadRunner& runner, std::size_t limit) {
    return with_branches(runner.rows(Read::runs, {static_cast<std::int64_t>(limit)}));
}

std::optional<json> read_run(ReadRunner& runner, const std::string& session_h) {
    json head = runner.rows(Read::run_head, {session_h});
    if (head.empty()) {
        return std::nullopt;
    }
    json run = std::move(head[0]);
    for (const char* key : {"command", "context", "description"}) {
        run[key] = parsed(run[key]);
    }
    run["tests"] = runner.rows(Read::run_tests, {session_h});
    run["crashes"] = runner.rows(Read::run_crashes, {session_h});
    run["report"] = !runner.rows(Read::run_has_report, {session_h}).empty();
    return run;
}

json read_test_history(ReadRunner& runner, const std::string& nodeid, std::size_t limit) {
    json rows =
        with_branches(runner.rows(Read::history, {nodeid, static_cast<std::int64_t>(limit)}));
    std::reverse(rows.begin(), rows.end());
    return rows;
}

std::optional<ExecutionContextRow> read_context(ReadRunner& runner, const std::string& env_h) {
    const json rows = runner.rows(Read::context, {env_h});
    if (rows.empty()) {
        return std::nullopt;
    }
    const auto& r = rows[0];
    ExecutionContextRow row;
    row.env_h = text_of(r["env_h"]);
    row.cpu_count = integer_of(r["cpu_count"]);
    row.cpu_frequency_mhz = integer_of(r["cpu_frequency_mhz"]);
    row.cpu_type = text_of(r["cpu_type"]);
    row.cpu_vendor = text_of(r["cpu_vendor"]);
    row.ram_total_mb = integer_of(r["ram_total_mb"]);
    row.machine_node = text_of(r["machine_node"]);
    row.machine_type = text_of(r["machine_type"]);
    row.machine_arch = text_of(r["machine_arch"]);
    row.system_info = text_of(r["system_info"]);
    row.python_info = text_of(r["python_info"]);
    return row;
}

std::optional<SessionRow> read_session(ReadRunner& runner, const std::string& session_h) {
    const json rows = runner.rows(Read::session, {session_h});
    if (rows.empty()) {
        return std::nullopt;
    }
    const auto& r = rows[0];
    SessionRow row;
    row.session_h = text_of(r["session_h"]);
    row.run_date = text_of(r["run_date"]);
    row.scm_id = text_of(r["scm_id"]);
    row.run_description = text_of(r["run_description"]);
    row.run_id = text_of(r["run_id"]);
    return row;
}

}  // namespace blackbox::store
