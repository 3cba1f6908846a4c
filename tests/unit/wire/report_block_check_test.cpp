// An uploaded report's data block is checked member by member before it is stored: the block a
// run's report embeds passes; numbers that are objects, columns of different lengths, indexes
// past their arrays and missing columns (each of which makes the page throw) are refused with
// the member named.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/html_data.hpp>
#include <blackbox/wire/report_block_check.hpp>

#include "../test_data.hpp"

namespace blackbox::wire {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json real_block(const char* run) {
    auto model = postmortem::load_run(blackbox::testing::test_data() / "runs" / run);
    return report::html_data(model, model.dir / "samples.jsonl");
}

std::string problem(const json& block) {
    return check_report_block(block.dump()).value_or("");
}

TEST(ReportBlockCheck, TheBlockOfARealRunPasses) {
    for (const char* run : {"segfault_in_call", "xdist_worker_segfault", "passed_failed_skipped"}) {
        SCOPED_TRACE(run);
        const auto block = real_block(run);
        ASSERT_GT(block["tests"]["name"].size(), 0u);
        EXPECT_EQ(check_report_block(block.dump()), std::nullopt);
    }
}

TEST(ReportBlockCheck, NumbersThatAreNotNumbersAreRefusedByName) {
    auto block = real_block("segfault_in_call");
    auto peak = block;
    peak["tests"]["peak_rss"][0] = {{"valueOf", 1}};
    EXPECT_EQ(problem(peak), "report: tests.peak_rss[0] must be a number or null");
    auto sample = block;
    sample["samples"]["rss"][0] = json::array({1});
    EXPECT_EQ(problem(sample), "report: samples.rss[0] must be a number or null");
    auto count = block;
    count["run"]["counts"]["passed"] = {{"n", 1}};
    EXPECT_EQ(problem(count), "report: run.counts.passed must be a number or null");
    auto frames = block;
    frames["crashes"][0]["frames"] = json::array({json::object()});
    EXPECT_EQ(problem(frames), "report: crashes[0].frames[0] must be a string");
    auto name = block;
    name["tests"]["name"][0] = 7;
    EXPECT_EQ(problem(name), "report: tests.name[0] must be a string");
    auto sampled = block;
    sampled["run"]["sampled"] = "yes";
    EXPECT_EQ(problem(sampled), "report: run.sampled must be true or false");
}

TEST(ReportBlockCheck, ColumnsOfDifferentLengthsAndIndexesPastTheirArraysAreRefused) {
    auto block = real_block("segfault_in_call");
    auto shorter = block;
    shorter["tests"]["cpu"].erase(0);
    EXPECT_NE(problem(shorter).find("tests.cpu has"), std::string::npos) << problem(shorter);
    auto samples = block;
    samples["samples"]["t"].push_back(1.0);
    EXPECT_NE(problem(samples).find("samples."), std::string::npos) << problem(samples);
    auto outcome = block;
    outcome["tests"]["outcome"][0] = 99;
    EXPECT_EQ(problem(outcome),
              "report: tests.outcome holds 99, past the end of its array (8 values)");
    auto negative = block;
    negative["tests"]["worker"][0] = -1;
    EXPECT_EQ(problem(negative), "report: tests.worker[0] must be an index (an integer from 0)");
    auto crash = block;
    crash["tests"]["crash"][0] = crash["crashes"].size();
    EXPECT_NE(problem(crash).find("tests.crash holds"), std::string::npos) << problem(crash);
}

TEST(ReportBlockCheck, MissingColumnsAndBrokenJsonAreRefused) {
    auto block = real_block("segfault_in_call");
    auto missing = block;
    missing["tests"].erase("start");
    EXPECT_EQ(problem(missing), "report: tests.start is missing");
    EXPECT_EQ(check_report_block("{\"format\": 1, "), "report: the data is not valid JSON");
    // Members it does not know are left alone.
    auto newer = block;
    newer["tests"]["something_new"] = {{"a", json::object()}};
    newer["run"]["added"] = json::array({json::object()});
    EXPECT_EQ(check_report_block(newer.dump()), std::nullopt);
}

}  // namespace
}  // namespace blackbox::wire
