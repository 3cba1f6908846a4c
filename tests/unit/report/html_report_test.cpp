// The HTML report: its template filling, its CSP, the embedded front-end, the escaped verdict
// and the columnar data block (docs/formats/report-html.md).

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/base64.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/gzip.hpp>
#include <blackbox/report/html_assets.hpp>
#include <blackbox/report/html_data.hpp>
#include <blackbox/report/html_report.hpp>
#include <blackbox/report/html_verdict.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::report {
namespace {

using nlohmann::json;
using postmortem::Crash;
using postmortem::PhaseResult;
using postmortem::RunModel;
using postmortem::TestResult;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kT0 = 1000 * kSecond;

std::size_t occurrences(std::string_view text, std::string_view what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) {
        ++count;
    }
    return count;
}

TEST(HtmlReport, FillsKnownPlaceholdersOnceAndNeverRescansValues) {
    auto page = fill_template("a @@X@@ b @@Y@@ @@UNKNOWN@@ c@@", {{"X", "@@Y@@"}, {"Y", "<y>"}});
    EXPECT_EQ(page, "a @@Y@@ b <y> @@UNKNOWN@@ c@@");
}

TEST(HtmlReport, CspNamesEachScriptBySha256) {
    // The SHA-256 of nothing, as every CSP validator knows it.
    auto csp = content_security_policy({""});
    EXPECT_NE(csp.find("script-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"),
              std::string::npos)
        << csp;
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline'; img"), csp.find("unsafe-inline'; img"));
    EXPECT_EQ(occurrences(content_security_policy({"a", "b"}), "'sha256-"), 2U);
}

TEST(HtmlReport, Base64AndGzipRoundTrip) {
    EXPECT_EQ(base::base64(""), "");
    EXPECT_EQ(base::base64("f"), "Zg==");
    EXPECT_EQ(base::base64("foobar"), "Zm9vYmFy");
    std::string big(300'000, 'x');
    for (std::size_t i = 0; i < big.size(); i += 7) {
        big[i] = static_cast<char>('a' + i % 26);
    }
    auto packed = base::gzip(big);
    EXPECT_LT(packed.size(), big.size() / 4);
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);  // gzip's magic
    EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
    EXPECT_EQ(base::gunzip(packed), big);
    EXPECT_THROW(base::gunzip(packed.substr(0, packed.size() / 2)), Error);
    EXPECT_THROW(base::gunzip(packed, big.size() - 1), Error);  // a bound below its size
    EXPECT_EQ(base::gunzip(packed, big.size()), big);
}

TEST(HtmlReport, EmbeddedTemplateHasEachPlaceholderOnceAndBareScripts) {
    for (auto name : {"@@CSP@@", "@@TITLE@@", "@@UPLOT_CSS@@", "@@REPORT_CSS@@", "@@VERDICT@@",
                      "@@DATA@@", "@@UPLOT_JS@@", "@@REPORT_JS@@"}) {
        EXPECT_EQ(occurrences(assets::page_template, name), 1U) << name;
    }
    // The CSP hashes exactly the text between the tags.
    EXPECT_EQ(occurrences(assets::page_template, "<script>@@UPLOT_JS@@</script>"), 1U);
    EXPECT_EQ(occurrences(assets::page_template, "<script>@@REPORT_JS@@</script>"), 1U);
    for (auto asset :
         {assets::uplot_js, assets::report_js, assets::uplot_css, assets::report_css}) {
        EXPECT_FALSE(asset.empty());
        EXPECT_EQ(asset.find("</script"), std::string_view::npos);
        EXPECT_EQ(asset.find("</style"), std::string_view::npos);
    }
    EXPECT_NE(assets::uplot_js.find("uPlot"), std::string_view::npos);
}

PhaseResult phase(std::int64_t begin, std::int64_t end,
                  PhaseResult::Outcome outcome = PhaseResult::Outcome::passed) {
    PhaseResult result;
    result.outcome = outcome;
    result.begin_ns = begin;
    result.end_ns = end;
    result.duration_s = static_cast<double>(end - begin) / 1e9;
    return result;
}

// Two tests in one file, one crashed in its call with a hostile id, one on a worker.
RunModel hostile_run(const std::filesystem::path& dir) {
    RunModel run;
    run.dir = dir;
    run.id = "run<1>";
    run.status = "crashed";
    run.command = {"pytest", "-k", "<b>"};
    run.started_ns = kT0;
    run.counts.collected = 2;
    run.counts.passed = 1;
    run.counts.crashed = 1;
    TestResult ok;
    ok.nodeid = "tests/test_a.py::TestX::test_ok";
    ok.outcome = "passed";
    ok.setup = phase(kT0 + kSecond, kT0 + kSecond + 1'000'000);
    ok.call = phase(kT0 + kSecond + 1'000'000, kT0 + 2 * kSecond);
    ok.teardown = phase(kT0 + 2 * kSecond, kT0 + 2 * kSecond + 500'000);
    ok.worker = "gw1";
    ok.peak_rss_bytes = 50 << 20;
    ok.cpu_user_s = 0.5;
    ok.cpu_sys_s = 0.25;
    ok.rss_before_bytes = 40 << 20;
    ok.rss_after_bytes = 41 << 20;
    TestResult bad;
    bad.nodeid = "tests/test_a.py::test_p[</script><script>alert(1)</script>]";
    bad.outcome = "crashed";
    bad.setup = phase(kT0 + 3 * kSecond, kT0 + 3 * kSecond + 1000);
    bad.crash = 0;
    run.tests.push_back(ok);
    run.tests.push_back(bad);
    Crash crash;
    crash.nodeid = bad.nodeid;
    crash.phase = "call";
    crash.cause = "segfault";
    crash.signal = 11;
    crash.rss_bytes = 300 << 20;
    crash.since_ns = kT0 + 3 * kSecond + 1000;
    crash.frames = {"File \"x.py\", line 1 in <module> \"><img src=x onerror=alert(1)>"};
    run.crashes.push_back(crash);
    return run;
}

TEST(HtmlReport, VerdictEscapesEverythingFromTheRun) {
    testing::ScratchDir dir("html");
    auto verdict = html_verdict(html_data(hostile_run(dir.path()), dir.path() / "none.jsonl"));
    EXPECT_EQ(verdict.find("<script>"), std::string::npos) << verdict;
    EXPECT_EQ(verdict.find("<img"), std::string::npos) << verdict;
    EXPECT_EQ(verdict.find("<b>"), std::string::npos) << verdict;
    EXPECT_NE(verdict.find("&lt;/script&gt;&lt;script&gt;alert(1)"), std::string::npos);
    EXPECT_NE(verdict.find("<dt>signal</dt><dd>SIGSEGV</dd>"), std::string::npos) << verdict;
    EXPECT_NE(verdict.find("<dt>memory at death</dt><dd>300 MiB</dd>"), std::string::npos);
    EXPECT_NE(verdict.find("class=\"crash\" data-crash=\"0\""), std::string::npos);
    EXPECT_TRUE(verdict.starts_with("<header id=\"verdict\" class=\"status-crashed\">"));
}

TEST(HtmlReport, VerdictRendersAnyJsonWithoutThrowing) {
    // A server renders uploaded blocks: wrong types and missing fields are left out, not fatal.
    for (const auto* text :
         {"null", "[]", "{}", R"({"run": 5})", R"({"run": {"status": 7, "counts": []}})",
          R"({"run": {"status": "x<b>"}, "crashes": [1, {"signal": "9", "frames": [3, "f<i>"]}]})",
          R"({"run": {"peak_tree_rss_bytes": -5, "suspect": {"nodeid": 1}}, "gc": {"most": []},
              "left_behind": [{"count": 99, "tests": "x"}], "collect_errors": [{"nodeid": null}]})",
          R"({"crashes": [{"signal": 99999999999, "rss_bytes": -1, "attempt": "2"}]})"}) {
        auto data = nlohmann::json::parse(text);
        std::string verdict;
        ASSERT_NO_THROW(verdict = html_verdict(data)) << text;
        EXPECT_TRUE(verdict.starts_with("<header id=\"verdict\"")) << text;
        EXPECT_EQ(verdict.find("<b>"), std::string::npos) << verdict;
        EXPECT_EQ(verdict.find("<i>"), std::string::npos) << verdict;
        ASSERT_NO_THROW(html_page(data, "")) << text;
    }
}

TEST(HtmlReport, DataIsColumnarWithSharedPrefixesAndRelativeTimes) {
    testing::ScratchDir dir("html");
    {
        std::ofstream trail(dir.path() / "samples.jsonl");
        trail
            << R"({"ev":"sampler","ns":1000000000000,"v":1,"interval_s":0.5,"top_interval_s":2.0,"page_size":4096,"root":1,"tree":"children","hidden":[]})"
            << "\n";
        for (int i = 1; i <= 8; ++i) {
            trail << R"({"ev":"sample","ns":)" << kT0 + i * kSecond / 2 << R"(,"rss":)" << i * 1000
                  << R"(,"procs":[],"mem":{"available":)" << 5000 - i << "}}\n";
        }
        trail << R"({"ev":"note","ns":)" << kT0 + 4 * kSecond
              << R"(,"what":"limit","text":"near <the> limit"})"
              << "\n";
    }
    auto run = hostile_run(dir.path());
    auto data = html_data(run, dir.path() / "samples.jsonl");
    EXPECT_EQ(data["format"], 1);
    EXPECT_EQ(data["run"]["sampled"], true);
    EXPECT_EQ(data["run"]["interval_s"], 0.5);
    EXPECT_EQ(data["samples"]["t"].size(), 8U);
    EXPECT_EQ(data["samples"]["t"][0], 0.5);
    EXPECT_EQ(data["samples"]["rss"][7], 8000);
    EXPECT_EQ(data["samples"]["available"][0], 4999);
    EXPECT_TRUE(data["samples"]["cgroup"][0].is_null());
    EXPECT_EQ(data["notes"][0]["t"], 4.0);
    EXPECT_EQ(data["notes"][0]["text"], "near <the> limit");

    const auto& tests = data["tests"];
    ASSERT_EQ(data["prefixes"].size(), 2U);
    auto nodeid = [&](std::size_t i) {
        return data["prefixes"][tests["prefix"][i].get<std::size_t>()].get<std::string>() +
               tests["name"][i].get<std::string>();
    };
    EXPECT_EQ(nodeid(0), run.tests[0].nodeid);
    EXPECT_EQ(nodeid(1), run.tests[1].nodeid);
    EXPECT_EQ(data["prefixes"][1], "tests/test_a.py::");  // the '::' in brackets is not a split
    EXPECT_EQ(data["workers"], json({"main", "gw1"}));
    EXPECT_EQ(tests["worker"], json({1, 0}));
    EXPECT_EQ(data["outcomes"][tests["outcome"][1].get<std::size_t>()], "crashed");
    EXPECT_EQ(tests["start"][0], 1.0);
    EXPECT_EQ(tests["end"][0], 2.001);
    EXPECT_EQ(tests["cpu"][0], 0.75);
    EXPECT_EQ(tests["retained"][0], 1 << 20);
    EXPECT_EQ(tests["peak_rss"][0], 50 << 20);
    EXPECT_TRUE(tests["peak_rss"][1].is_null());
    EXPECT_EQ(tests["crash"], json({nullptr, 0}));
    EXPECT_EQ(data["crashes"][0]["test"], 1);
    EXPECT_EQ(data["crashes"][0]["signal"], 11);
    EXPECT_EQ(data["crashes"][0]["signal_name"], "SIGSEGV");
    EXPECT_EQ(data["crashes"][0]["t"], 3.0);  // the phase's start: no sample had its pid
}

TEST(HtmlReport, PrefixesOfLongNodeIdsAreSharedAcrossTests) {
    // The prefixes' index once held views of each test's node id text, freed at the end of its
    // iteration: long node ids (past the short-string buffer) in several files were compared
    // against freed memory (AddressSanitizer: heap-use-after-free) and could be listed twice.
    RunModel run;
    const std::string a = "tests/integration/test_alpha_module.py::";
    const std::string b = "tests/integration/test_beta_module_.py::";
    for (const auto& nodeid :
         {a + "test_first_case_with_a_long_name", b + "test_second_case_with_a_long_name",
          a + "test_third_case_with_a_name_long_enough_for_another_size_class_of_allocation",
          b + "test_fourth", a + "test_fifth_case_with_a_long_name"}) {
        postmortem::TestResult test;
        test.nodeid = nodeid;
        test.outcome = "passed";
        run.tests.push_back(test);
    }
    testing::ScratchDir dir("html");
    auto data = html_data(run, dir.path() / "none.jsonl");
    EXPECT_EQ(data["prefixes"], json({a, b}));
    EXPECT_EQ(data["tests"]["prefix"], json({0, 1, 0, 1, 0}));
}

TEST(HtmlReport, LongTrailsAreThinnedKeepingPeaks) {
    testing::ScratchDir dir("html");
    const std::size_t count = kMaxTimelinePoints * 2 + 10;
    {
        std::ofstream trail(dir.path() / "samples.jsonl");
        for (std::size_t i = 0; i < count; ++i) {
            auto rss = i == 123'457 ? 999'999'999 : 1000 + i % 3;
            trail << R"({"ev":"sample","ns":)" << kT0 + static_cast<std::int64_t>(i) * 1'000'000
                  << R"(,"rss":)" << rss << R"(,"procs":[],"mem":{}})"
                  << "\n";
        }
    }
    RunModel run;
    run.dir = dir.path();
    run.started_ns = kT0;
    auto data = html_data(run, dir.path() / "samples.jsonl");
    auto points = data["samples"]["rss"].size();
    EXPECT_LE(points, kMaxTimelinePoints);
    EXPECT_GE(points, kMaxTimelinePoints / 2);
    auto max = std::max_element(data["samples"]["rss"].begin(), data["samples"]["rss"].end());
    EXPECT_EQ(*max, 999'999'999);
}

TEST(HtmlReport, PageEmbedsTheDataAndNoRawTextFromTheRun) {
    testing::ScratchDir dir("html");
    auto run = hostile_run(dir.path());
    auto page = html_report(run, dir.path() / "samples.jsonl");
    EXPECT_EQ(page.find("@@DATA@@"), std::string::npos);
    EXPECT_EQ(page.find("alert(1)</script>"), std::string::npos);
    EXPECT_EQ(page.find("<img"), std::string::npos);
    EXPECT_NE(page.find("<title>blackbox: crashed — run&lt;1&gt;</title>"), std::string::npos);
    std::string_view marker = "data-encoding=\"gzip+base64\">";
    auto open = page.find(marker);
    ASSERT_NE(open, std::string::npos);
    open += marker.size();
    auto close = page.find("</script>", open);
    auto data = json::parse(base::gunzip(base::unbase64(page.substr(open, close - open))));
    EXPECT_EQ(data["run"]["id"], "run<1>");
    EXPECT_EQ(data["run"]["sampled"], false);
    EXPECT_EQ(data["tests"]["name"][1], "test_p[</script><script>alert(1)</script>]");
}

}  // namespace
}  // namespace blackbox::report
