// Reports on disk: missing files and directories, malformed files left alone, idempotence
// checked on the bytes, and sanitizing directory trees.

#include <fstream>

#include <gtest/gtest.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/repair/html_sanitize_paths.hpp>
#include <blackbox/repair/report_file.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

namespace fs = std::filesystem;
using testing::data_file;
using testing::fixed_context;
using testing::ScratchDir;

void write(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
}

std::string read(const fs::path& path) {
    return base::read_file(path).value_or("<missing>");
}

class ReportFiles : public ::testing::TestWithParam<ReportKind> {};

TEST_P(ReportFiles, CreatesAMissingReportAndItsDirectoriesThenChangesNothing) {
    ScratchDir scratch;
    auto path = scratch.path() / "not" / "yet" / "there" / "report";
    auto crashes = testing::logged_crashes();
    auto first = repair_report_file(GetParam(), path, crashes, fixed_context());
    EXPECT_TRUE(first.patch.error.empty()) << first.patch.error;
    EXPECT_TRUE(first.created);
    EXPECT_EQ(first.patch.added, 3U);
    auto written = read(path);
    auto second = repair_report_file(GetParam(), path, crashes, fixed_context());
    EXPECT_FALSE(second.written);
    EXPECT_EQ(second.patch.already, 3U);
    EXPECT_EQ(read(path), written);
    EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()),
              1);  // no temporary file left behind
}

TEST_P(ReportFiles, LeavesAMalformedReportUntouched) {
    ScratchDir scratch;
    auto path = scratch.path() / "report";
    const std::string garbage = "\x01\x02 this is { not < a \"report";
    write(path, garbage);
    auto outcome = repair_report_file(GetParam(), path, testing::logged_crashes(), fixed_context());
    EXPECT_FALSE(outcome.patch.error.empty());
    EXPECT_FALSE(outcome.written);
    EXPECT_EQ(read(path), garbage);
}

TEST_P(ReportFiles, AnEmptyFileIsTakenAsMissing) {
    ScratchDir scratch;
    auto path = scratch.path() / "report";
    write(path, "");
    auto outcome = repair_report_file(GetParam(), path, testing::logged_crashes(), fixed_context());
    EXPECT_TRUE(outcome.patch.error.empty()) << outcome.patch.error;
    EXPECT_TRUE(outcome.created);
}

INSTANTIATE_TEST_SUITE_P(EveryFormat, ReportFiles,
                         ::testing::Values(ReportKind::json_report, ReportKind::junit,
                                           ReportKind::csv, ReportKind::html));

TEST(ReportFile, RecordedReportsRepairedTwiceOnDiskAreByteIdentical) {
    ScratchDir scratch;
    const std::pair<ReportKind, const char*> kReports[] = {
        {ReportKind::json_report, "json_report.json"},
        {ReportKind::junit, "pytest72_junit.xml"},
        {ReportKind::csv, "pytest_csv.csv"},
        {ReportKind::html, "pytest_html3.html"},
        {ReportKind::html, "pytest_html4.html"},
        {ReportKind::html, "pytest_html4_broken_blob.html"},
    };
    for (const auto& [kind, name] : kReports) {
        auto path = scratch.path() / name;
        write(path, data_file(name));
        auto first = repair_report_file(kind, path, testing::logged_crashes(), fixed_context());
        EXPECT_TRUE(first.written) << name << ": " << first.patch.error;
        auto once = read(path);
        auto second = repair_report_file(kind, path, testing::logged_crashes(), fixed_context());
        EXPECT_FALSE(second.written) << name;
        EXPECT_EQ(read(path), once) << name;
    }
}

TEST(ReportFile, AReportThatIsADirectoryIsAnError) {
    ScratchDir scratch;
    auto outcome = repair_report_file(ReportKind::csv, scratch.path(), testing::logged_crashes(),
                                      fixed_context());
    EXPECT_NE(outcome.patch.error.find("not a regular file"), std::string::npos);
}

TEST(SanitizeHtmlPaths, WalksDirectoriesAndCountsWhatChanged) {
    ScratchDir scratch;
    write(scratch.path() / "a_log.html", data_file("pytest_html4.html"));
    write(scratch.path() / "sub" / "b_log.html", data_file("pytest_html4_broken_blob.html"));
    write(scratch.path() / "sub" / "c_log.html", data_file("pytest_html3.html"));
    write(scratch.path() / "sub" / "torn_log.html", "<div data-jsonblob=\"{&#34;a\"></div>");
    write(scratch.path() / "notes.txt", data_file("pytest_html4_broken_blob.html"));
    auto broken_before = read(scratch.path() / "sub" / "torn_log.html");

    auto report = sanitize_html_paths({scratch.path()});
    ASSERT_EQ(report.sanitized.size(), 1U);
    EXPECT_EQ(report.sanitized[0], scratch.path() / "sub" / "b_log.html");
    EXPECT_EQ(report.unchanged, 2U);
    ASSERT_EQ(report.errors.size(), 1U);
    EXPECT_NE(report.errors[0].find("torn_log.html"), std::string::npos);
    EXPECT_EQ(read(scratch.path() / "sub" / "torn_log.html"), broken_before);
    EXPECT_EQ(read(scratch.path() / "notes.txt"), data_file("pytest_html4_broken_blob.html"));

    auto again = sanitize_html_paths({scratch.path()});
    EXPECT_TRUE(again.sanitized.empty());
}

}  // namespace
}  // namespace blackbox::repair
