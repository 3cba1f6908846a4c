// The ingest's fast path: it takes a well-formed chunk of rows with exactly the rows the strict
// reader (parse_json_body, parse_upload) reads, and declines every other body, whose answer
// stays the strict reader's.

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/wire/json_body.hpp>
#include <blackbox/wire/rows_chunk_reader.hpp>
#include <blackbox/wire/run_upload.hpp>

#include "../test_data.hpp"

namespace blackbox::wire {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

template <typename T>
json or_null(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

// Every field of an upload without a head, as JSON for comparisons.
json upload_json(const store::RunUpload& upload) {
    json out = {{"session_h", upload.session_h},   {"env_h", upload.env_h},
                {"chunk", upload.chunk},           {"chunks", upload.chunks},
                {"head", upload.head.has_value()}, {"tests", json::array()},
                {"metrics", json::array()}};
    for (const auto& t : upload.tests) {
        out["tests"].push_back(
            {t.nodeid, t.outcome, or_null(t.worker), t.attempt, or_null(t.start),
             or_null(t.setup_s), or_null(t.call_s), or_null(t.teardown_s), or_null(t.total_s),
             or_null(t.user_s), or_null(t.sys_s), or_null(t.peak_rss_bytes), t.peak_exact,
             or_null(t.peak_tree_rss_bytes), or_null(t.rss_before_bytes),
             or_null(t.rss_after_bytes), or_null(t.retained_bytes), t.monitored});
    }
    for (const auto& m : upload.metrics) {
        out["metrics"].push_back({or_null(m.item_start_time), m.item_path, m.item, m.item_variant,
                                  m.item_fs_loc, m.kind, m.component, or_null(m.total_time),
                                  or_null(m.user_time), or_null(m.kernel_time),
                                  or_null(m.cpu_usage), or_null(m.mem_usage), m.outcome, m.nodeid});
    }
    return out;
}

// The strict reader's verdict on a body: the upload as upload_json, or the status and message
// the route answers with.
std::string strict(std::string_view body) {
    auto parsed = parse_json_body(body);
    if (!parsed.value) {
        return "400 " + parsed.error;
    }
    auto upload = parse_upload(*parsed.value);
    if (!upload.upload) {
        return "422 " + upload.error;
    }
    return upload_json(*upload.upload).dump();
}

std::string fast(std::string_view body) {
    auto upload = read_rows_chunk(body);
    return upload ? upload_json(*upload).dump() : "declined";
}

json valid_chunk() {
    json test = {{"nodeid", "t.py::test_a"},
                 {"outcome", "passed"},
                 {"worker", "gw0"},
                 {"attempt", 1},
                 {"start", "2026-11-22T08:55:55.000"},
                 {"setup_s", 0.001},
                 {"call_s", 0.25},
                 {"teardown_s", nullptr},
                 {"total_s", 1},
                 {"peak_rss_bytes", 20 << 20},
                 {"peak_exact", true},
                 {"monitored", false}};
    json metrics = {{"item_start_time", "2026-11-22T08:55:55.000"},
                    {"item_path", "t"},
                    {"item", "test_a"},
                    {"item_variant", "test_a"},
                    {"item_fs_loc", "t.py"},
                    {"kind", "function"},
                    {"component", ""},
                    {"total_time", 0.25},
                    {"mem_usage", 20.5},
                    {"outcome", "passed"},
                    {"nodeid", "t.py::test_a"}};
    json second = test;
    second["nodeid"] = "t.py::test_b";
    return {{"session_h", "s1"}, {"env_h", "e1"},           {"chunk", 0},
            {"chunks", 2},       {"tests", {test, second}}, {"metrics", {metrics, metrics}}};
}

TEST(RowsChunkReader, ReadsTheRowsTheStrictReaderReads) {
    for (const char* name :
         {"passed_failed_skipped", "xdist_worker_segfault", "segfault_in_call"}) {
        SCOPED_TRACE(name);
        const auto run = postmortem::load_run(blackbox::testing::test_data() / "runs" / name);
        const auto chunks = upload_chunks(run, 2048);
        ASSERT_GT(chunks.size(), 1U);
        for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
            EXPECT_EQ(fast(chunks[i]), strict(chunks[i]));
            EXPECT_NE(fast(chunks[i]), "declined");
        }
        EXPECT_EQ(fast(chunks.back()), "declined");  // the head: the strict reader's
        EXPECT_EQ(strict(chunks.back()).front(), '{');
    }
}

TEST(RowsChunkReader, ReadsEdgeValuesAsTheStrictReaderDoes) {
    const std::string bodies[] = {
        valid_chunk().dump(),
        R"({"session_h":"s","env_h":"e","chunk":0,"chunks":1,"run":null,"tests":null,
            "extra":{"deep":[[[{"x":[1e300,-0,"\ud83d\ude00"]}]]]},
            "metrics":[{"item_start_time":null,"item_path":"caf\u00e9 \ud83d\ude00 Grüße",
            "item":"i","item_variant":"v","item_fs_loc":"f","kind":"module","component":"c",
            "total_time":-0,"user_time":1e-320,"kernel_time":0.1,"cpu_usage":9007199254740992,
            "mem_usage":-9007199254740992.0,"outcome":"","nodeid":"n\t\"q\"\\","unknown":[]}]})",
        R"({"session_h":"s","env_h":"e","chunk":0,"chunks":1,"metrics":[],
            "tests":[{"nodeid":"n","outcome":"failed","attempt":-5,"peak_exact":false,
            "monitored":true,"peak_rss_bytes":9007199254740992,"retained_bytes":-9007199254740992,
            "rss_before_bytes":0,"worker":null},
            {"nodeid":"n","outcome":"failed","attempt":123456789,"peak_exact":false,
            "monitored":true,"user_s":1e9,"call_s":-0.0}]})",
    };
    for (const auto& body : bodies) {
        SCOPED_TRACE(body);
        EXPECT_NE(fast(body), "declined");
        EXPECT_EQ(fast(body), strict(body));
    }
}

// Each kind of problem: declined, and answered by the strict reader as before.
TEST(RowsChunkReader, DeclinesEveryBodyTheStrictReaderRefuses) {
    auto with = [](auto change) {
        json body = valid_chunk();
        change(body);
        return body.dump();
    };
    const std::pair<std::string, std::string> cases[] = {
        {with([](json& b) { b["tests"][1]["outcome"] = 5; }),
         "422 upload: tests[1]: outcome must be a string"},
        {with([](json& b) { b["tests"][0].erase("nodeid"); }),
         "422 upload: tests[0]: nodeid is missing"},
        {with([](json& b) { b["tests"][0]["outcome"] = std::string(17, 'p'); }),
         "422 upload: tests[0]: outcome is longer than 16 bytes"},
        {with([](json& b) { b["tests"][0]["nodeid"] = std::string("a\0b", 3); }),
         "422 upload: tests[0]: nodeid must not contain NUL characters"},
        {with([](json& b) { b["tests"][0]["attempt"] = 1.5; }),
         "422 upload: tests[0]: attempt must be an integer"},
        {with([](json& b) { b["tests"][0]["peak_rss_bytes"] = 18446744073709551615ULL; }),
         "422 upload: tests[0]: peak_rss_bytes is out of range"},
        // Out of range: never a peak of -2^63 bytes on a page.
        {with([](json& b) {
             b["tests"][0]["peak_rss_bytes"] = std::numeric_limits<std::int64_t>::min();
         }),
         "422 upload: tests[0]: peak_rss_bytes must be within 0 .. 2^53"},
        {with([](json& b) { b["tests"][0]["peak_tree_rss_bytes"] = (1LL << 53) + 1; }),
         "422 upload: tests[0]: peak_tree_rss_bytes must be within 0 .. 2^53"},
        {with([](json& b) { b["tests"][0]["retained_bytes"] = -(1LL << 53) - 1; }),
         "422 upload: tests[0]: retained_bytes must be within -2^53 .. 2^53"},
        {with([](json& b) { b["tests"][0]["total_s"] = -0.5; }),
         "422 upload: tests[0]: total_s must be within 0 .. 1e9 seconds"},
        {with([](json& b) { b["tests"][1]["user_s"] = 18446744073709551615ULL; }),
         "422 upload: tests[1]: user_s must be within 0 .. 1e9 seconds"},
        {with([](json& b) { b["metrics"][0]["mem_usage"] = 1e300; }),
         "422 upload: metrics[0]: mem_usage must be within -2^53 .. 2^53"},
        {with([](json& b) { b["tests"][0]["call_s"] = "x"; }),
         "422 upload: tests[0]: call_s must be a number"},
        {with([](json& b) { b["tests"][0]["peak_exact"] = 1; }),
         "422 upload: tests[0]: peak_exact must be true or false"},
        {with([](json& b) { b["tests"][0] = 3; }),
         "422 upload: tests[0]: the body must be a JSON object"},
        {with([](json& b) { b["tests"] = json::object(); }), "422 upload: tests must be an array"},
        {with([](json& b) { b["metrics"][1]["kind"] = nullptr; }),
         "422 upload: metrics[1]: kind is missing"},
        {with([](json& b) { b["metrics"][0]["item"] = std::string(2097, 'i'); }),
         "422 upload: metrics[0]: item is longer than 2096 bytes"},
        {with([](json& b) { b["metrics"][0]["cpu_usage"] = false; }),
         "422 upload: metrics[0]: cpu_usage must be a number"},
        {with([](json& b) { b["session_h"] = "../x"; }),
         "422 upload: session_h must be 1 to 64 characters of [0-9A-Za-z_-]"},
        {with([](json& b) { b.erase("env_h"); }), "422 upload: env_h is missing"},
        {with([](json& b) { b["chunk"] = 2; }), "422 upload: chunk must be within 0 .. chunks - 1"},
        {with([](json& b) { b["chunks"] = "2"; }), "422 upload: chunks must be an integer"},
        {with([](json& b) { b["run"] = 5; }), "422 upload: run must be an object"},
        {with([](json& b) {
             b["tests"] = json::array();
             b["tests"][100'000] = json::object();
         }),
         "422 upload: tests has more than 100000 rows"},
        {"[1]", "400 the body must be a JSON object"},
        {"{\"session_h\": ", "400 the body is not valid JSON"},
        {"{\"session_h\": \"\xff\"}", "400 the body is not valid JSON"},
        {R"({"session_h":"s","env_h":"e","chunk":0,"chunks":1,"tests":[{"nodeid":"\udc00"}]})",
         "400 the body is not valid JSON"},
        {R"({"session_h":"s","env_h":"e","chunk":0,"chunks":1,"x":1e400})",
         strict(R"({"session_h":"s","env_h":"e","chunk":0,"chunks":1,"x":1e400})")},
    };
    for (const auto& [body, answer] : cases) {
        SCOPED_TRACE(body.substr(0, 200));
        EXPECT_EQ(fast(body), "declined");
        EXPECT_EQ(strict(body), answer);
    }
}

TEST(RowsChunkReader, DeclinesWhatTheStrictReaderReadsItsOwnWay) {
    // A key twice: the strict reader keeps the last.
    const std::string twice =
        R"({"session_h":"s","env_h":"e","chunk":0,"chunks":1,"tests":[{"nodeid":"n",
            "outcome":"failed","outcome":"passed","attempt":1,"peak_exact":false,
            "monitored":true}]})";
    EXPECT_EQ(fast(twice), "declined");
    EXPECT_EQ(json::parse(strict(twice))["tests"][0][1], "passed");
}

TEST(RowsChunkReader, RefusesNestingAsDeepAsTheStrictReaderDoes) {
    auto nested = [](int depth) {  // the body's object is the first level
        return R"({"session_h":"s","env_h":"e","chunk":0,"chunks":1,"x":)" +
               std::string(static_cast<std::size_t>(depth - 1), '[') +
               std::string(static_cast<std::size_t>(depth - 1), ']') + "}";
    };
    EXPECT_NE(fast(nested(kMaxJsonDepth)), "declined");
    EXPECT_EQ(fast(nested(kMaxJsonDepth)), strict(nested(kMaxJsonDepth)));
    EXPECT_EQ(fast(nested(kMaxJsonDepth + 1)), "declined");
    EXPECT_EQ(strict(nested(kMaxJsonDepth + 1)), "400 the body nests deeper than 32 levels");
}

TEST(RowsChunkReader, ReadsAgainAfterALargeBody) {
    json body = valid_chunk();
    for (int i = 0; i < 20'000; ++i) {
        body["tests"].push_back(body["tests"][0]);
    }
    const auto large = body.dump();
    ASSERT_GT(large.size(), std::size_t{4} << 20);
    EXPECT_EQ(fast(large), strict(large));
    EXPECT_EQ(fast(valid_chunk().dump()), strict(valid_chunk().dump()));
}

}  // namespace
}  // namespace blackbox::wire
