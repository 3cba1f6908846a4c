// The SQLite backend's writing: uploads that wait together are written in one transaction, yet
// one that fails leaves the others written; the log is checkpointed by a thread of its own.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/serve/router.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/sqlite_backend.hpp>
#include <blackbox/store/wal_checkpointer.hpp>
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

std::int64_t count(const fs::path& path, const std::string& sql, const std::string& session_h) {
    SQLite::Database database(path.string());
    SQLite::Statement query(database, sql);
    query.bind(1, session_h);
    query.executeStep();
    return query.getColumn(0).getInt64();
}

// A pushed run keeps the settings compare matches runs on and where its time went, as an
// ingested one; settings another client spelled differently are stored in the column's one
// spelling, so that equal settings stay equal text.
TEST(SqliteBackend, APushedRunKeepsItsSettingsAndCourse) {
    testing::ScratchDir scratch;
    const auto path = scratch / "served.db";
    SqliteBackend backend(path);
    Router router(backend, {});
    const auto run =
        postmortem::load_run(blackbox::testing::test_data() / "runs" / "xdist_worker_segfault");
    std::string session_h;
    for (const auto& chunk : upload_chunks(run, 1 << 20)) {
        auto body = json::parse(chunk);
        session_h = body["session_h"];
        if (body.contains("run")) {
            EXPECT_EQ(body["run"]["settings"], json::parse(R"({"workers":2})"));
            body["run"]["settings"] =
                json::parse(R"({"shard": "3", "fsync": false, "workers": 2})");
        }
        EXPECT_EQ(router.handle({"POST", "/api/v1/runs", {}, body.dump(), ""}).status, 201);
    }
    SQLite::Database database(path.string());
    SQLite::Statement query(database,
                            "SELECT settings, startup_s, collection_s, finish_s FROM blackbox_runs "
                            "WHERE session_h = ?");
    query.bind(1, session_h);
    ASSERT_TRUE(query.executeStep());
    EXPECT_EQ(query.getColumn(0).getString(), R"({"workers":2,"shard":"3"})");
    EXPECT_NEAR(query.getColumn(1).getDouble(), *run.course.startup_s, 1e-9);
    EXPECT_NEAR(query.getColumn(2).getDouble(), *run.course.collection_s, 1e-9);
    EXPECT_NEAR(query.getColumn(3).getDouble(), *run.course.finish_s, 1e-9);
}

// Five runs pushed at once while another connection holds the write lock: the first upload
// waits for it, and the others queue behind and are written as one batch. One run's test rows
// are refused by a trigger: its chunks fail, and every other run is stored whole.
TEST(SqliteBackend, AFailingUploadInABatchLeavesTheOthersWritten) {
    testing::ScratchDir scratch;
    const auto path = scratch / "served.db";
    SqliteBackend backend(path);
    Router router(backend, {});

    std::vector<std::vector<std::string>> runs;
    std::vector<std::string> sessions;
    std::vector<std::size_t> tests;
    for (const char* name : {"passed_failed_skipped", "xdist_worker_segfault", "segfault_in_call",
                             "kill_in_teardown", "os_exit_in_call"}) {
        const auto run = postmortem::load_run(blackbox::testing::test_data() / "runs" / name);
        runs.push_back(upload_chunks(run, 1 << 20));
        sessions.push_back(json::parse(runs.back().front())["session_h"]);
        tests.push_back(run.tests.size());
    }
    const std::string poisoned = sessions[2];

    SQLite::Database other(path.string(), SQLite::OPEN_READWRITE);
    other.exec(
        fmt::format("CREATE TRIGGER poison BEFORE INSERT ON blackbox_tests WHEN "
                    "NEW.session_h = '{}' BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
                    poisoned));
    other.exec("BEGIN IMMEDIATE");
    std::atomic<int> refused = 0;
    std::atomic<int> other_failures = 0;
    std::vector<std::thread> clients;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        clients.emplace_back([&, i] {
            for (const auto& chunk : runs[i]) {
                const auto status = router.handle({"POST", "/api/v1/runs", {}, chunk, ""}).status;
                if (status == 500 && sessions[i] == poisoned) {
                    ++refused;
                } else if (status != 201) {
                    ++other_failures;
                }
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    other.exec("COMMIT");
    for (auto& client : clients) {
        client.join();
    }

    EXPECT_GE(refused, 1);
    EXPECT_EQ(other_failures, 0);
    const auto stored = "SELECT count(*) FROM blackbox_tests WHERE session_h = ?";
    for (std::size_t i = 0; i < runs.size(); ++i) {
        SCOPED_TRACE(sessions[i]);
        if (sessions[i] == poisoned) {
            EXPECT_EQ(count(path, stored, sessions[i]), 0);
            EXPECT_EQ(
                count(path, "SELECT count(*) FROM TEST_METRICS WHERE SESSION_H = ?", sessions[i]),
                0);  // the rows of its refused chunk, all of them
        } else {
            EXPECT_EQ(count(path, stored, sessions[i]), static_cast<std::int64_t>(tests[i]));
        }
    }
}

// The writer's commits leave the checkpoint to the checkpointer's thread, which copies the log
// into the database file once it passes kPassiveFrames.
// A test's history is its newest runs (by start; ties: the later upload first), listed oldest
// first, found without an index keyed by the test: a test missing from the newest runs is still
// found in older ones.
TEST(SqliteBackend, ATestsHistoryIsItsNewestRunsOldestFirst) {
    testing::ScratchDir scratch;
    SqliteBackend backend(scratch / "served.db");
    Router router(backend, {});
    const auto run =
        postmortem::load_run(blackbox::testing::test_data() / "runs" / "passed_failed_skipped");
    std::string kept;
    for (const auto& chunk : upload_chunks(run, 1 << 20)) {
        const auto tests = json::parse(chunk).value("tests", json::array());
        kept = tests.empty() ? kept : tests[0]["nodeid"].get<std::string>();
    }
    ASSERT_FALSE(kept.empty());
    for (int i = 0; i < 12; ++i) {
        for (const auto& chunk : upload_chunks(run, 1 << 20)) {
            auto copy = json::parse(chunk);
            copy["session_h"] = fmt::format("run{:02}", i);
            if (copy.contains("run")) {
                copy["run"]["started"] = fmt::format("2026-01-{:02}T10:00:00", 1 + i / 2);
            }
            if (i >= 3 && copy.contains("tests")) {  // the test is renamed after the third run
                for (auto& test : copy["tests"]) {
                    if (test["nodeid"] == kept) {
                        test["nodeid"] = kept + "_renamed";
                    }
                }
            }
            ASSERT_EQ(router.handle({"POST", "/api/v1/runs", {}, copy.dump(), ""}).status, 201);
        }
    }
    const auto sessions = [](const json& rows) {
        std::vector<std::string> result;
        for (const auto& row : rows) {
            result.push_back(row["session_h"]);
        }
        return result;
    };
    EXPECT_EQ(sessions(backend.test_history(kept + "_renamed", 4)),
              (std::vector<std::string>{"run08", "run09", "run10", "run11"}));
    EXPECT_EQ(sessions(backend.test_history(kept, 100)),
              (std::vector<std::string>{"run00", "run01", "run02"}));
    EXPECT_TRUE(backend.test_history("no such test", 100).empty());
}

TEST(WalCheckpointer, CopiesTheLogIntoTheDatabaseFromItsOwnThread) {
    testing::ScratchDir scratch;
    const auto path = scratch / "served.db";
    auto writer = store::open_database(path);
    writer.exec("CREATE TABLE pages (data blob)");
    const auto size_before = fs::file_size(path);
    WalCheckpointer checkpointer(writer, path);

    const std::string page(4000, 'x');  // a page of its own per row
    for (int commit = 0; commit < 2 * WalCheckpointer::kPassiveFrames / 10; ++commit) {
        SQLite::Statement insert(writer, "INSERT INTO pages VALUES (?)");
        writer.exec("BEGIN");
        for (int row = 0; row < 10; ++row) {
            insert.bind(1, page.data(), static_cast<int>(page.size()));
            insert.exec();
            insert.reset();
        }
        writer.exec("COMMIT");
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (fs::file_size(path) < size_before + 4'000'000 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(checkpointer.checkpoints(), 1);
    EXPECT_GE(fs::file_size(path), size_before + 4'000'000);  // 2,000 pages of rows, copied
}

// A writer that goes from one commit to the next, as under a steady load of uploads, keeps its
// log within kRestartFrames (and a commit) by calling restart_if_long() between transactions;
// without it, the log would hold every page written.
TEST(WalCheckpointer, KeepsTheLogBoundedUnderASteadyWriter) {
    testing::ScratchDir scratch;
    const auto path = scratch / "served.db";
    auto writer = store::open_database(path);
    writer.exec("CREATE TABLE pages (data blob)");
    WalCheckpointer checkpointer(writer, path);
    const auto wal = fs::path(path.string() + "-wal");

    const std::string page(4000, 'x');
    constexpr int kPagesACommit = 50;
    std::uintmax_t largest = 0;
    for (int commit = 0; commit < 4 * WalCheckpointer::kRestartFrames / kPagesACommit; ++commit) {
        checkpointer.restart_if_long();
        SQLite::Statement insert(writer, "INSERT INTO pages VALUES (?)");
        writer.exec("BEGIN IMMEDIATE");
        for (int row = 0; row < kPagesACommit; ++row) {
            insert.bind(1, page.data(), static_cast<int>(page.size()));
            insert.exec();
            insert.reset();
        }
        writer.exec("COMMIT");
        largest = std::max(largest, fs::file_size(wal));
    }
    const std::uintmax_t frame = 4096 + 24;
    EXPECT_LE(largest, (WalCheckpointer::kRestartFrames + 4 * kPagesACommit) * frame);
}

}  // namespace
}  // namespace blackbox::store
