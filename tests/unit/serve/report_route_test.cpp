// A run's HTML report on the server: stored as pushed, shown as the same page `report.html` is,
// read back as JSON; anything that is not a report's data is refused and changes nothing.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/base64.hpp>
#include <blackbox/base/gzip.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/html_assets.hpp>
#include <blackbox/report/html_data.hpp>
#include <blackbox/report/html_report.hpp>
#include <blackbox/report/html_verdict.hpp>
#include <blackbox/serve/router.hpp>
#include <blackbox/store/sqlite_backend.hpp>
#include <blackbox/wire/report_upload.hpp>
#include <blackbox/wire/run_upload.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ReportRouteTest : public ::testing::Test {
  protected:
    ReportRouteTest() {
        run_.tests[0].nodeid = "t.py::test_<script>alert(1)</script>";
        data_ = report::html_data(run_, run_.dir / "samples.jsonl");
        gzipped_ = report::report_data_gzip(data_, 6);
        session_h_ = json::parse(wire::upload_chunks(run_, 1 << 20).back())["session_h"];
    }

    Response send(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& authorization = "") {
        return router_.handle({method, path, {}, body, authorization});
    }
    std::string report_path() const { return "/api/v1/runs/" + session_h_ + "/report"; }

    postmortem::RunModel run_ =
        postmortem::load_run(blackbox::testing::test_data() / "runs" / "segfault_in_call");
    json data_;
    std::string gzipped_, session_h_;
    testing::ScratchDir scratch_;
    store::SqliteBackend backend_{scratch_ / "served.db"};
    Router router_{backend_, {}};
};

TEST_F(ReportRouteTest, StoresTheReportAndServesItsPage) {
    auto stored = send("PUT", report_path(), gzipped_);
    ASSERT_EQ(stored.status, 201) << stored.body;
    EXPECT_EQ(json::parse(stored.body),
              (json{{"session_h", session_h_}, {"bytes", gzipped_.size()}}));

    auto page = send("GET", "/runs/" + session_h_ + "/report");
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    // The page's own scripts by hash, as report.html's; nothing from elsewhere.
    EXPECT_EQ(
        page.content_security_policy,
        report::content_security_policy({report::assets::uplot_js, report::assets::report_js}) +
            "; frame-ancestors 'none'");
    // The same verdict and data block as the local report.
    EXPECT_NE(page.body.find(report::html_verdict(data_)), std::string::npos);
    EXPECT_NE(page.body.find(base::base64(gzipped_)), std::string::npos);
    EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
    EXPECT_NE(page.body.find("<dt>signal</dt><dd>SIGSEGV</dd>"), std::string::npos);

    auto api = send("GET", report_path());
    ASSERT_EQ(api.status, 200);
    EXPECT_EQ(json::parse(api.body), json::parse(data_.dump()));
    EXPECT_EQ(api.content_encoding, "");
    // A client that reads gzip gets it as stored: the server decompresses nothing.
    auto compressed = router_.handle({"GET", report_path(), {}, "", "", true});
    ASSERT_EQ(compressed.status, 200);
    EXPECT_EQ(compressed.content_encoding, "gzip");
    EXPECT_EQ(compressed.body, gzipped_);

    // The run's page links to it once the run is in.
    for (const auto& chunk : wire::upload_chunks(run_, 1 << 20)) {
        ASSERT_EQ(send("POST", "/api/v1/runs", chunk).status, 201);
    }
    EXPECT_EQ(json::parse(send("GET", "/api/v1/runs/" + session_h_).body)["report"], true);
    EXPECT_NE(send("GET", "/runs/" + session_h_).body.find("/runs/" + session_h_ + "/report"),
              std::string::npos);
}

TEST_F(ReportRouteTest, SendingAgainReplacesIt) {
    ASSERT_EQ(send("PUT", report_path(), gzipped_).status, 201);
    auto changed = data_;
    changed["run"]["status"] = "passed";
    ASSERT_EQ(send("PUT", report_path(), report::report_data_gzip(changed, 1)).status, 201);
    EXPECT_EQ(json::parse(send("GET", report_path()).body)["run"]["status"], "passed");
}

TEST_F(ReportRouteTest, RefusesWhatIsNotAReportAndKeepsWhatWasStored) {
    ASSERT_EQ(send("PUT", report_path(), gzipped_).status, 201);
    auto without = [&](const char* key) {
        auto copy = data_;
        copy.erase(key);
        return base::gzip(copy.dump());
    };
    auto typed = [&](const char* key, json value) {
        auto copy = data_;
        copy[key] = std::move(value);
        return base::gzip(copy.dump());
    };
    const std::pair<std::string, int> refused[] = {
        {"", 422},
        {"not gzip", 422},
        {gzipped_.substr(0, gzipped_.size() / 2), 422},  // truncated
        {base::gzip("[1, 2]"), 422},
        {base::gzip("{\"format\": 1"), 422},
        {base::gzip(std::string(40, '[') + std::string(40, ']')), 422},
        {typed("format", 2), 422},
        {typed("format", "1"), 422},
        {without("tests"), 422},
        {without("run"), 422},
        {typed("samples", json::array()), 422},
        {typed("crashes", "none"), 422},
        // Small, but far larger once decompressed than any report.
        {base::gzip(std::string(wire::kMaxReportJson + 1, ' '), 1), 413},
    };
    for (const auto& [body, status] : refused) {
        auto answer = send("PUT", report_path(), body);
        EXPECT_EQ(answer.status, status) << answer.body;
        EXPECT_TRUE(json::parse(answer.body).contains("error"));
    }
    EXPECT_EQ(json::parse(send("GET", report_path()).body), json::parse(data_.dump()));
}

TEST_F(ReportRouteTest, UnknownRunsMethodsAndTokens) {
    EXPECT_EQ(send("GET", report_path()).status, 404);
    EXPECT_EQ(send("GET", "/runs/" + session_h_ + "/report").status, 404);
    EXPECT_EQ(send("PUT", "/api/v1/runs/not%2Fa%2Fhash/report", gzipped_).status, 404);
    EXPECT_EQ(send("POST", report_path(), gzipped_).status, 405);
    EXPECT_EQ(send("PUT", "/runs/" + session_h_ + "/report", gzipped_).status, 405);
    Router closed(backend_, {"s3cret", true});
    EXPECT_EQ(closed.handle({"PUT", report_path(), {}, gzipped_, ""}).status, 401);
    EXPECT_EQ(closed.handle({"PUT", report_path(), {}, gzipped_, "Bearer s3cret"}).status, 201);
    EXPECT_EQ(closed.handle({"GET", report_path(), {}, "", ""}).status, 200);  // reads open
}

}  // namespace
}  // namespace blackbox::serve
