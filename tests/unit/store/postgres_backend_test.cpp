// The PostgreSQL backend answers every route as the SQLite one does: the same requests sent to
// a Router over each, the same answers. Needs a PostgreSQL server: $BLACKBOX_TEST_POSTGRES_URL
// (scripts/postgres-test-server prints one); skipped, saying so, without it. Each test writes
// into a schema of its own, dropped afterwards.

#include <SQLiteCpp/Database.h>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/error.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/html_data.hpp>
#include <blackbox/report/html_report.hpp>
#include <blackbox/serve/router.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/postgres_backend.hpp>
#include <blackbox/store/sqlite_backend.hpp>
#include <blackbox/wire/run_upload.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::store {
namespace {

using serve::Request;
using serve::Response;
using serve::Router;
using serve::RouterOptions;
using wire::upload_chunks;

namespace fs = std::filesystem;
using nlohmann::json;

std::string server_url() {
    const char* url = std::getenv("BLACKBOX_TEST_POSTGRES_URL");
    return url ? url : "";
}

// A schema of its own on the test server, and the URL whose connections write into it.
class ScratchSchema {
  public:
    explicit ScratchSchema(const std::string& server) : server_(server) {
        std::random_device random;
        name_ = fmt::format("blackbox_unit_{:08x}{:08x}", random(), random());
        pqxx::connection admin(server_);
        pqxx::nontransaction(admin).exec("CREATE SCHEMA " + admin.quote_name(name_));
        url_ = fmt::format("{}{}options=-csearch_path%3D{}&application_name={}", server_,
                           server_.find('?') == std::string::npos ? "?" : "&", name_, name_);
    }
    ~ScratchSchema() {
        try {
            pqxx::connection admin(server_);
            pqxx::nontransaction(admin).exec("DROP SCHEMA " + admin.quote_name(name_) + " CASCADE");
        } catch (const std::exception&) {
            // left behind: a test schema, harmless
        }
    }
    ScratchSchema(const ScratchSchema&) = delete;
    ScratchSchema& operator=(const ScratchSchema&) = delete;

    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }
    const std::string& server() const { return server_; }

  private:
    std::string server_, name_, url_;
};

json recorded_session() {
    std::ifstream in(blackbox::testing::test_data() / "serve" / "pytest_monitor_session.json");
    return json::parse(in);
}

// A response's body for comparison: JSON without the time of ingestion (the only column that
// differs by when, not what), else the text.
std::string comparable(const Response& response) {
    if (response.content_type != "application/json") {
        return response.body;
    }
    json body = json::parse(response.body, nullptr, false);
    if (body.is_object()) {
        body.erase("ingested");
    }
    return body.dump(1);
}

class PostgresBackendTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (server_url().empty()) {
            GTEST_SKIP() << "no PostgreSQL server: set BLACKBOX_TEST_POSTGRES_URL (the URL "
                            "scripts/postgres-test-server prints)";
        }
        schema_ = std::make_unique<ScratchSchema>(server_url());
        postgres_ = std::make_unique<PostgresBackend>(schema_->url());
        sqlite_ = std::make_unique<SqliteBackend>(scratch_ / "served.db");
    }

    // Sends `request` to both and expects the same answer; returns SQLite's.
    Response both(const Request& request) {
        Router sqlite(*sqlite_, {}), postgres(*postgres_, {});
        const auto expected = sqlite.handle(request);
        const auto actual = postgres.handle(request);
        EXPECT_EQ(actual.status, expected.status) << request.method << " " << request.path;
        EXPECT_EQ(actual.content_type, expected.content_type);
        EXPECT_EQ(comparable(actual), comparable(expected))
            << request.method << " " << request.path;
        return expected;
    }

    testing::ScratchDir scratch_;
    std::unique_ptr<ScratchSchema> schema_;
    std::unique_ptr<PostgresBackend> postgres_;
    std::unique_ptr<SqliteBackend> sqlite_;
};

TEST_F(PostgresBackendTest, AnswersPytestMonitorsClientAsSqliteDoes) {
    const auto session = recorded_session();  // kept: a loop over a temporary's member dangles
    for (const auto& step : session["requests"]) {
        both({step["method"], step["path"], {}, step.value("body", json()).dump(), ""});
    }
    // Again: known contexts and sessions are kept, metrics added again.
    for (const auto& step : session["requests"]) {
        both({step["method"], step["path"], {}, step.value("body", json()).dump(), ""});
    }
    const auto steps = session["requests"];
    auto orphan = steps[5]["body"];
    orphan["session_h"] = "unknown";
    EXPECT_EQ(both({"POST", "/metrics/", {}, orphan.dump(), ""}).status, 422);
    both({"GET", "/contexts/unknown", {}, "", ""});
    both({"GET", "/sessions/unknown", {}, "", ""});
}

TEST_F(PostgresBackendTest, StoresUploadsAndAnswersTheDashboardAsSqliteDoes) {
    std::set<std::string> nodeids;
    for (const char* name :
         {"passed_failed_skipped", "xdist_worker_segfault", "segfault_in_call", "kill_in_teardown",
          "segfault_collecting", "abort_in_session_fixture_setup", "os_exit_in_call",
          "segfault_at_exit"}) {
        SCOPED_TRACE(name);
        const auto run = postmortem::load_run(blackbox::testing::test_data() / "runs" / name);
        for (const auto& test : run.tests) {
            nodeids.insert(test.nodeid);
        }
        const auto chunks = upload_chunks(run, 2048);  // small: several chunks
        for (int round = 0; round < 2; ++round) {      // again: idempotent
            for (const auto& chunk : chunks) {
                ASSERT_EQ(both({"POST", "/api/v1/runs", {}, chunk, ""}).status, 201);
            }
        }
    }
    // A copy of a run under another hash: its tests' histories hold two rows started at the
    // same time, listed in the order of their uploads.
    const auto copied =
        postmortem::load_run(blackbox::testing::test_data() / "runs" / "passed_failed_skipped");
    for (const auto& chunk : upload_chunks(copied, 2048)) {
        auto copy = json::parse(chunk);
        copy["session_h"] = "c0py";
        ASSERT_EQ(both({"POST", "/api/v1/runs", {}, copy.dump(), ""}).status, 201);
    }
    // One run's report, stored and read back alike.
    const auto crashed =
        postmortem::load_run(blackbox::testing::test_data() / "runs" / "segfault_in_call");
    const auto report =
        report::report_data_gzip(report::html_data(crashed, crashed.dir / "samples.jsonl"), 6);
    const std::string crashed_h = json::parse(upload_chunks(crashed, 1 << 20).back())["session_h"];
    const auto report_path = "/api/v1/runs/" + crashed_h + "/report";
    for (int round = 0; round < 2; ++round) {
        ASSERT_EQ(both({"PUT", report_path, {}, report, ""}).status, 201);
    }
    EXPECT_EQ(both({"GET", report_path, {}, "", ""}).status, 200);
    EXPECT_EQ(both({"GET", "/runs/" + crashed_h + "/report", {}, "", ""}).status, 200);
    EXPECT_EQ(both({"PUT", report_path, {}, "not gzip", ""}).status, 422);

    const auto runs = json::parse(both({"GET", "/api/v1/runs", {}, "", ""}).body)["runs"];
    EXPECT_EQ(runs.size(), 9U);
    both({"GET", "/api/v1/runs", {{"limit", "3"}}, "", ""});
    both({"GET", "/", {}, "", ""});
    for (const auto& run : runs) {
        const auto session_h = run["session_h"].get<std::string>();
        both({"GET", "/api/v1/runs/" + session_h, {}, "", ""});
        both({"GET", "/runs/" + session_h, {}, "", ""});
        both({"GET", "/sessions/" + session_h, {}, "", ""});
    }
    for (const auto& nodeid : nodeids) {
        both({"GET", "/api/v1/history", {{"nodeid", nodeid}}, "", ""});
        both({"GET", "/tests", {{"nodeid", nodeid}}, "", ""});
    }
    both({"GET", "/api/v1/runs/unknown", {}, "", ""});
}

// Text that COPY's format escapes (tab, newline, carriage return, backslash, and a field that
// reads "\N", its null) is stored as sent, in tests and in metrics.
TEST_F(PostgresBackendTest, StoresTextThatCopyEscapesAsSent) {
    const auto run =
        postmortem::load_run(blackbox::testing::test_data() / "runs" / "passed_failed_skipped");
    const std::string odd = "\t\\N\n\r\\.\\ é";
    std::string nodeid;
    std::string session_h;
    for (const auto& chunk : upload_chunks(run, 1 << 20)) {
        auto copy = json::parse(chunk);
        for (const char* rows : {"tests", "metrics"}) {
            if (copy.contains(rows)) {
                for (auto& row : copy[rows]) {
                    row["nodeid"] = row["nodeid"].get<std::string>() + odd;
                    nodeid = row["nodeid"];
                    if (row.contains("item")) {
                        row["item"] = "\\N";
                        row["item_variant"] = odd;
                    }
                }
            }
        }
        session_h = copy["session_h"];
        ASSERT_EQ(both({"POST", "/api/v1/runs", {}, copy.dump(), ""}).status, 201);
    }
    const auto stored = json::parse(both({"GET", "/api/v1/runs/" + session_h, {}, "", ""}).body);
    ASSERT_FALSE(stored["tests"].empty());
    EXPECT_NE(stored["tests"][0]["nodeid"].get<std::string>().find(odd), std::string::npos);
    const auto history =
        json::parse(both({"GET", "/api/v1/history", {{"nodeid", nodeid}}, "", ""}).body);
    EXPECT_EQ(history["history"].size(), 1U);
    pqxx::connection reader(schema_->url());
    const auto items = pqxx::nontransaction(reader).exec(
        "SELECT count(*) FROM TEST_METRICS WHERE ITEM = '\\N' AND ITEM_VARIANT = " +
        reader.quote(odd));
    EXPECT_GT(items[0][0].as<int>(), 0);
}

// Clients pushing at once share the pool: more than one connection answers, never more than
// kMaxConnections, and the rows are what the runs pushed one after the other store.
TEST_F(PostgresBackendTest, ConcurrentUploadsShareThePoolAndStoreWhatSequentialOnesStore) {
    std::vector<std::vector<std::string>> runs;
    for (const char* name : {"passed_failed_skipped", "xdist_worker_segfault", "segfault_in_call",
                             "kill_in_teardown", "os_exit_in_call", "segfault_at_exit"}) {
        const auto run = postmortem::load_run(blackbox::testing::test_data() / "runs" / name);
        runs.push_back(upload_chunks(run, 2048));
    }
    Router sqlite(*sqlite_, {}), postgres(*postgres_, {});
    for (const auto& chunks : runs) {
        for (const auto& chunk : chunks) {
            ASSERT_EQ(sqlite.handle({"POST", "/api/v1/runs", {}, chunk, ""}).status, 201);
        }
    }
    std::atomic<int> failures = 0;
    std::atomic<std::int64_t> most_connections = 0;
    std::vector<std::thread> clients;
    for (const auto& chunks : runs) {
        for (int client = 0; client < 2; ++client) {  // two clients push the same run
            clients.emplace_back([&] {
                pqxx::connection admin(schema_->server());
                for (const auto& chunk : chunks) {
                    if (postgres.handle({"POST", "/api/v1/runs", {}, chunk, ""}).status != 201) {
                        ++failures;
                    }
                    const auto open = pqxx::nontransaction(admin)
                                          .exec_params1(
                                              "SELECT count(*) FROM pg_stat_activity "
                                              "WHERE application_name = $1",
                                              schema_->name())[0]
                                          .as<std::int64_t>();
                    auto seen = most_connections.load();
                    while (open > seen && !most_connections.compare_exchange_weak(seen, open)) {
                    }
                }
            });
        }
    }
    for (auto& client : clients) {
        client.join();
    }
    EXPECT_EQ(failures, 0);
    EXPECT_GE(most_connections, 2);
    EXPECT_LE(most_connections, static_cast<std::int64_t>(PostgresBackend::kMaxConnections));
    both({"GET", "/api/v1/runs", {{"limit", "100"}}, "", ""});
    for (const auto& chunks : runs) {
        const std::string session_h = json::parse(chunks.front())["session_h"];
        both({"GET", "/api/v1/runs/" + session_h, {}, "", ""});
    }
}

TEST_F(PostgresBackendTest, AnsweredAfterItsConnectionWasCut) {
    const auto context = recorded_session()["requests"][1]["body"];
    Router router(*postgres_, {});
    ASSERT_EQ(router.handle({"POST", "/contexts/", {}, context.dump(), ""}).status, 201);
    {
        pqxx::connection admin(schema_->server());
        pqxx::nontransaction(admin).exec_params(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            schema_->name());
    }
    // The request that finds the connection cut is answered on a new one, and so on.
    const auto path = "/contexts/" + context["h"].get<std::string>();
    const auto answer = router.handle({"GET", path, {}, "", ""});
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(router.handle({"GET", path, {}, "", ""}).status, 200);
}

TEST_F(PostgresBackendTest, RefusesANewerSchema) {
    {
        pqxx::connection connection(schema_->url());
        pqxx::work transaction(connection);
        transaction.exec("UPDATE blackbox_schema SET version = version + 1");
        transaction.commit();
    }
    try {
        PostgresBackend again(schema_->url());
        FAIL() << "a newer schema was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.exit_code(), store::kDatabaseError);
        EXPECT_NE(std::string(error.what()).find("newer than this blackbox knows"),
                  std::string::npos)
            << error.what();
    }
}

TEST_F(PostgresBackendTest, BringsAVersion1DatabaseToVersion2) {
    {
        pqxx::connection connection(schema_->url());
        pqxx::work transaction(connection);
        transaction.exec("DROP TABLE blackbox_reports");
        transaction.exec("UPDATE blackbox_schema SET version = 1");
        transaction.commit();
    }
    PostgresBackend again(schema_->url());
    pqxx::connection connection(schema_->url());
    pqxx::work transaction(connection);
    EXPECT_EQ(transaction.exec("SELECT max(version) FROM blackbox_schema")[0][0].as<int>(), 2);
    EXPECT_EQ(transaction.exec("SELECT count(*) FROM blackbox_reports")[0][0].as<int>(), 0);
}

// As in SQLite: a column the tables' description gained is added to an existing database, its
// old rows NULL there (here: a column dropped to stand for it).
TEST_F(PostgresBackendTest, AddsAColumnTheDescriptionGained) {
    {
        pqxx::connection connection(schema_->url());
        pqxx::work transaction(connection);
        transaction.exec(
            "INSERT INTO blackbox_tests (session_h, nodeid, retained_bytes) VALUES "
            "('s', 't', 5)");
        transaction.exec("ALTER TABLE blackbox_tests DROP COLUMN retained_bytes");
        transaction.commit();
    }
    PostgresBackend again(schema_->url());
    pqxx::connection connection(schema_->url());
    pqxx::work transaction(connection);
    EXPECT_EQ(transaction.exec("SELECT max(version) FROM blackbox_schema")[0][0].as<int>(), 2);
    EXPECT_TRUE(transaction.exec("SELECT retained_bytes FROM blackbox_tests")[0][0].is_null());
}

// As in SQLite: the retired indexes are dropped when the server opens the database, a missing
// one is made, and a user's own index stays.
TEST_F(PostgresBackendTest, RetiresIndexesAndKeepsAUsersOwn) {
    const auto indexes = [&] {
        pqxx::connection connection(schema_->url());
        std::set<std::string> names;
        for (const auto& row : pqxx::nontransaction(connection)
                                   .exec("SELECT indexname::text FROM pg_indexes WHERE schemaname "
                                         "= current_schema()")) {
            names.insert(row[0].as<std::string>());
        }
        return names;
    };
    {
        pqxx::connection connection(schema_->url());
        pqxx::work transaction(connection);
        transaction.exec(
            "CREATE INDEX TEST_METRICS_ITEM_VARIANT ON TEST_METRICS(ITEM_VARIANT); CREATE INDEX "
            "blackbox_tests_nodeid ON blackbox_tests(nodeid); CREATE INDEX TEST_METRICS_SESSION_H "
            "ON TEST_METRICS(SESSION_H); CREATE INDEX mine ON blackbox_tests(outcome); DROP "
            "INDEX blackbox_runs_started");
        transaction.commit();
    }
    ASSERT_EQ(indexes().count("blackbox_tests_nodeid"), 1U);
    PostgresBackend again(schema_->url());
    const auto names = indexes();
    EXPECT_EQ(names.count("test_metrics_item_variant"), 0U);
    EXPECT_EQ(names.count("blackbox_tests_nodeid"), 0U);
    EXPECT_EQ(names.count("test_metrics_session_h"), 0U);
    EXPECT_EQ(names.count("blackbox_runs_started"), 1U);
    EXPECT_EQ(names.count("mine"), 1U);
}

TEST(PostgresBackend, AServerThatCannotBeReachedIsAnErrorWithoutThePassword) {
    try {
        PostgresBackend backend("postgresql://u:pa55word@127.0.0.1:1/db?connect_timeout=5");
        FAIL() << "connected to port 1";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_EQ(error.exit_code(), store::kDatabaseError);
        EXPECT_EQ(message.find("pa55word"), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        EXPECT_NE(message.find("postgresql://u:***@127.0.0.1:1/db"), std::string::npos) << message;
    }
}

}  // namespace
}  // namespace blackbox::store
