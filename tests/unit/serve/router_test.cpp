// The routes of blackbox serve over a real SQLite backend: pytest-monitor's client's recorded
// session replayed, our upload stored exactly as a local ingest stores it and idempotent, and
// bad requests refused with nothing changed.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <limits>
#include <thread>
#include <tuple>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/serve/router.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/ingest.hpp>
#include <blackbox/store/sqlite_backend.hpp>
#include <blackbox/wire/run_upload.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json recorded_session() {
    std::ifstream in(blackbox::testing::test_data() / "serve" / "pytest_monitor_session.json");
    return json::parse(in);
}

// Every key of `expected` is in `actual` with the same value (objects and arrays compared the
// same way, element by element).
bool contains(const json& actual, const json& expected) {
    if (expected.is_object()) {
        if (!actual.is_object()) {
            return false;
        }
        for (const auto& [key, value] : expected.items()) {
            if (!actual.contains(key) || !contains(actual[key], value)) {
                return false;
            }
        }
        return true;
    }
    if (expected.is_array()) {
        if (!actual.is_array() || actual.size() < expected.size()) {
            return false;
        }
        for (std::size_t i = 0; i < expected.size(); ++i) {
            if (!contains(actual[i], expected[i])) {
                return false;
            }
        }
        return true;
    }
    return actual == expected;
}

// The whole database as text: every row of every table, sorted.
std::string dump(const fs::path& path) {
    SQLite::Database database(path.string());
    std::vector<std::string> lines;
    for (const char* table : {"EXECUTION_CONTEXTS", "TEST_SESSIONS", "TEST_METRICS",
                              "blackbox_runs", "blackbox_tests", "blackbox_crashes"}) {
        SQLite::Statement query(database, fmt::format("SELECT * FROM {} ORDER BY 1, 2, 3", table));
        while (query.executeStep()) {
            std::string text = table;
            for (int i = 0; i < query.getColumnCount(); ++i) {
                std::string name = query.getColumnName(i);
                if (name == "run_dir" || name == "ingested") {
                    continue;  // where and when, not what
                }
                text +=
                    "|" + (query.getColumn(i).isNull() ? "NULL" : query.getColumn(i).getString());
            }
            lines.push_back(text);
        }
    }
    std::sort(lines.begin(), lines.end());
    std::string text;
    for (const auto& line : lines) {
        text += line + "\n";
    }
    return text;
}

class RouterTest : public ::testing::Test {
  protected:
    Response send(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& authorization = "") {
        Request request{method, path, {}, body, authorization};
        return router_.handle(request);
    }

    testing::ScratchDir scratch_;
    fs::path path_ = scratch_ / "served.db";
    store::SqliteBackend backend_{path_};
    Router router_{backend_, {}};
};

TEST_F(RouterTest, AnswersPytestMonitorsClientAsItExpects) {
    const auto session = recorded_session();  // kept: a loop over a temporary's member dangles
    for (const auto& step : session["requests"]) {
        auto response = send(step["method"], step["path"], step.value("body", json()).dump());
        SCOPED_TRACE(step["method"].get<std::string>() + " " + step["path"].get<std::string>());
        EXPECT_EQ(response.status, step["status"].get<int>()) << response.body;
        if (step.contains("response")) {
            EXPECT_TRUE(contains(json::parse(response.body), step["response"])) << response.body;
        }
    }
    SQLite::Database database(path_.string());
    EXPECT_EQ(database
                  .execAndGet("SELECT count(*) FROM TEST_METRICS WHERE OUTCOME = 'passed' "
                              "AND NODEID IS NULL")
                  .getInt(),
              3);
    EXPECT_EQ(database.execAndGet("SELECT CPU_FREQUENCY_MHZ FROM EXECUTION_CONTEXTS").getInt(),
              2900);
}

TEST_F(RouterTest, RefusesAMetricOfAnUnknownSession) {
    auto steps = recorded_session()["requests"];
    auto response = send("POST", "/metrics/", steps[5]["body"].dump());
    EXPECT_EQ(response.status, 422);
    EXPECT_NE(response.body.find("unknown"), std::string::npos);
}

TEST_F(RouterTest, UnknownRoutesAndMethodsGetJsonErrors) {
    EXPECT_EQ(send("GET", "/nope").status, 404);
    EXPECT_EQ(send("GET", "/contexts/x'%20OR%201=1").status, 404);
    EXPECT_EQ(send("DELETE", "/contexts/").status, 405);
    EXPECT_EQ(send("GET", "/metrics/").status, 405);
    auto response = send("POST", "/contexts/", "{not json");
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(json::parse(response.body)["error"], "the body is not valid JSON");
}

TEST_F(RouterTest, APathOfTheTableUnderAnotherMethodNamesTheMethodsItTakes) {
    auto response = send("DELETE", "/api/v1/runs/");
    EXPECT_EQ(response.status, 405);
    EXPECT_EQ(json::parse(response.body)["error"], "/api/v1/runs/ takes POST or GET");
    EXPECT_EQ(send("POST", "/healthz").status, 405);
    // One segment per "{}": a path with more is no route at all.
    EXPECT_EQ(send("GET", "/api/v1/runs/a/b").status, 404);
    EXPECT_EQ(send("GET", "/runs//report").status, 404);
}

TEST_F(RouterTest, HeadIsAnsweredAsGetAndATrailingSlashIsIgnored) {
    EXPECT_EQ(send("HEAD", "/healthz").status, 200);
    EXPECT_EQ(send("GET", "/healthz/").status, 200);
    EXPECT_EQ(send("GET", "/assets/dashboard.css").status, 200);
    EXPECT_EQ(send("GET", "/assets/nope.js").status, 404);
}

TEST_F(RouterTest, MalformedBodiesChangeNothing) {
    auto before = dump(path_);
    auto context = recorded_session()["requests"][1]["body"];
    context["cpu_count"] = "four";
    EXPECT_EQ(send("POST", "/contexts/", context.dump()).status, 422);
    context = recorded_session()["requests"][1]["body"];
    context["machine_node"] = std::string(600, 'x');
    EXPECT_EQ(send("POST", "/contexts/", context.dump()).status, 422);
    context["machine_node"] = "n";
    context["h"] = "'; DROP TABLE TEST_METRICS; --";
    EXPECT_EQ(send("POST", "/contexts/", context.dump()).status, 422);
    EXPECT_EQ(send("POST", "/api/v1/runs", R"({"session_h": "a", "env_h": "b"})").status, 422);
    EXPECT_EQ(dump(path_), before);
}

TEST(RouterToken, WritesNeedTheTokenAndMonitorRoutesOpenOnlyWhenAllowed) {
    testing::ScratchDir scratch;
    store::SqliteBackend backend(scratch / "served.db");
    auto context = recorded_session()["requests"][1]["body"].dump();
    Router closed(backend, {"s3cret", false});
    EXPECT_EQ(closed.handle({"POST", "/contexts/", {}, context, ""}).status, 401);
    EXPECT_EQ(closed.handle({"POST", "/contexts/", {}, context, "Bearer wrong!"}).status, 401);
    EXPECT_EQ(closed.handle({"POST", "/api/v1/runs", {}, "{}", "Bearer s3cre"}).status, 401);
    EXPECT_EQ(closed.handle({"POST", "/contexts/", {}, context, "Bearer s3cret"}).status, 201);
    EXPECT_EQ(closed.handle({"GET", "/api/v1/runs", {}, "", ""}).status, 200);  // reads open
    Router open(backend, {"s3cret", true});
    EXPECT_EQ(open.handle({"POST", "/contexts/", {}, context, ""}).status, 201);
    EXPECT_EQ(open.handle({"POST", "/api/v1/runs", {}, "{}", ""}).status, 401);
}

TEST(RouterToken, AWriteWithoutTheTokenIsRefusedFromItsHeadAlone) {
    testing::ScratchDir scratch;
    store::SqliteBackend backend(scratch / "served.db");
    Router closed(backend, {"s3cret", false});
    // No body yet: the server asks before it reads one.
    for (auto [method, path] : {std::pair{"POST", "/api/v1/runs"},
                                {"POST", "/api/v1/runs/"},
                                {"POST", "/contexts/"},
                                {"POST", "/sessions"},
                                {"POST", "/metrics/"},
                                {"PUT", "/api/v1/runs/abc/report"}}) {
        SCOPED_TRACE(std::string(method) + " " + path);
        auto refused = closed.before_body({method, path, {}, "", ""});
        ASSERT_TRUE(refused.has_value());
        EXPECT_EQ(refused->status, 401);
        EXPECT_EQ(closed.before_body({method, path, {}, "", "Bearer wrong!"})->status, 401);
        EXPECT_FALSE(closed.before_body({method, path, {}, "", "Bearer s3cret"}).has_value());
    }
    EXPECT_FALSE(closed.before_body({"GET", "/api/v1/runs", {}, "", ""}).has_value());
    EXPECT_FALSE(closed.before_body({"GET", "/healthz", {}, "", ""}).has_value());
    Router open(backend, {"s3cret", true});
    EXPECT_FALSE(open.before_body({"POST", "/metrics/", {}, "", ""}).has_value());
    EXPECT_EQ(open.before_body({"POST", "/api/v1/runs", {}, "", ""})->status, 401);
    Router tokenless(backend, {"", false});
    EXPECT_FALSE(tokenless.before_body({"POST", "/api/v1/runs", {}, "", ""}).has_value());
}

TEST_F(RouterTest, AnUploadStoresWhatALocalIngestStoresAndAgainNothingMore) {
    for (const char* name :
         {"passed_failed_skipped", "xdist_worker_segfault", "segfault_in_call"}) {
        SCOPED_TRACE(name);
        const auto dir = blackbox::testing::test_data() / "runs" / name;
        const auto run = postmortem::load_run(dir);
        testing::ScratchDir local;
        {
            auto database = store::open_database(local / "local.db");
            store::ingest_run(database, run);
        }
        testing::ScratchDir remote;
        store::SqliteBackend backend(remote / "remote.db");
        Router router(backend, {});
        auto chunks = wire::upload_chunks(run, 2048);  // small: several chunks
        EXPECT_GT(chunks.size(), 1U);
        for (int round = 0; round < 2; ++round) {
            for (const auto& chunk : chunks) {
                auto response = router.handle({"POST", "/api/v1/runs", {}, chunk, ""});
                ASSERT_EQ(response.status, 201) << response.body;
            }
        }
        EXPECT_EQ(dump(remote / "remote.db"), dump(local / "local.db"));
    }
}

TEST_F(RouterTest, NumbersOutOfTheirRangesAreRefusedOnEveryRouteAndChangeNothing) {
    const auto run =
        postmortem::load_run(blackbox::testing::test_data() / "runs" / "segfault_in_call");
    const auto head = json::parse(wire::upload_chunks(run, 1 << 20).back());
    auto steps = recorded_session()["requests"];
    json context = steps[1]["body"], metric = steps[5]["body"];
    const std::tuple<std::string, json, std::string> cases[] = {
        {"/api/v1/runs",
         [&] {
             auto b = head;
             b["run"]["counts"]["passed"] = -1;
             return b;
         }(),
         "upload: run: counts: passed must be within 0 .. 2^53"},
        {"/api/v1/runs",
         [&] {
             auto b = head;
             b["run"]["duration_s"] = -3.5;
             return b;
         }(),
         "upload: run: duration_s must be within 0 .. 1e9 seconds"},
        {"/api/v1/runs",
         [&] {
             auto b = head;
             b["crashes"][0]["rss_bytes"] = std::numeric_limits<std::int64_t>::min();
             return b;
         }(),
         "upload: crashes[0]: rss_bytes must be within 0 .. 2^53"},
        {"/api/v1/runs",
         [&] {
             auto b = head;
             b["context"]["ram_total_mb"] = -1;
             return b;
         }(),
         "upload: context: ram_total_mb must be within 0 .. 2^53"},
        {"/contexts/",
         [&] {
             auto b = context;
             b["cpu_count"] = -4;
             return b;
         }(),
         "context: cpu_count must be within 0 .. 2^53"},
        {"/contexts/",
         [&] {
             auto b = context;
             b["ram_total"] = -1.5;
             return b;
         }(),
         "context: ram_total must not be negative"},
        {"/metrics/",
         [&] {
             auto b = metric;
             b["mem_usage"] = 1e300;
             return b;
         }(),
         "metric: mem_usage must be within -2^53 .. 2^53"},
    };
    const auto before = dump(path_);
    for (const auto& [path, body, error] : cases) {
        SCOPED_TRACE(body.dump().substr(0, 200));
        auto response = send("POST", path, body.dump());
        EXPECT_EQ(response.status, 422);
        EXPECT_EQ(json::parse(response.body)["error"], error);
    }
    EXPECT_EQ(dump(path_), before);
}

// Uploads that arrive together are written in one transaction: each as if alone.
TEST_F(RouterTest, ConcurrentUploadsStoreWhatLocalIngestsStore) {
    const char* names[] = {"passed_failed_skipped", "xdist_worker_segfault", "segfault_in_call"};
    testing::ScratchDir local;
    std::vector<std::vector<std::string>> chunks;
    {
        auto database = store::open_database(local / "local.db");
        for (const char* name : names) {
            const auto run = postmortem::load_run(blackbox::testing::test_data() / "runs" / name);
            store::ingest_run(database, run);
            chunks.push_back(wire::upload_chunks(run, 1024));
        }
    }
    std::vector<std::thread> clients;
    std::atomic<int> failures = 0;
    for (const auto& run : chunks) {
        for (int client = 0; client < 2; ++client) {  // two clients push the same run
            clients.emplace_back([&] {
                for (const auto& chunk : run) {
                    if (router_.handle({"POST", "/api/v1/runs", {}, chunk, ""}).status != 201) {
                        ++failures;
                    }
                }
            });
        }
    }
    for (auto& client : clients) {
        client.join();
    }
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(dump(path_), dump(local / "local.db"));
}

TEST_F(RouterTest, PagesEscapeWhatTheDatabaseHolds) {
    const auto session = recorded_session();  // kept: a loop over a temporary's member dangles
    for (const auto& step : session["requests"]) {
        send(step["method"], step["path"], step.value("body", json()).dump());
    }
    const auto run =
        postmortem::load_run(blackbox::testing::test_data() / "runs" / "passed_failed_skipped");
    for (const auto& chunk : wire::upload_chunks(run, 1 << 20)) {
        ASSERT_EQ(send("POST", "/api/v1/runs", chunk).status, 201);
    }
    // Ours, and pytest-monitor's session as a run (its tests' names hostile too).
    auto runs = json::parse(send("GET", "/api/v1/runs").body)["runs"];
    ASSERT_EQ(runs.size(), 2U);
    auto page = send("GET", "/");
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    for (const auto& listed : runs) {
        EXPECT_NE(page.body.find(listed["session_h"].get<std::string>()), std::string::npos);
        auto run_page = send("GET", "/runs/" + listed["session_h"].get<std::string>());
        EXPECT_EQ(run_page.status, 200);
        EXPECT_EQ(run_page.body.find("<script>alert"), std::string::npos);
    }

    Request history{"GET", "/tests", {{"nodeid", "t.py::test_<script>alert(1)</script>"}}, "", ""};
    auto body = router_.handle(history).body;
    EXPECT_EQ(body.find("<script>alert"), std::string::npos);
    EXPECT_NE(body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace blackbox::serve
