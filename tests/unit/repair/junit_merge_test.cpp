// The JUnit files of a restarted run's attempts made one that holds every test: pytest 7.2's own
// file (attempt 2) merged with another attempt's, and the tests no file holds added from the
// journals in pytest's words.

#include <pugixml.hpp>

#include <gtest/gtest.h>

#include <blackbox/repair/junit_merge.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

using testing::data_file;
using testing::fixed_context;

constexpr const char* kFirstAttempt =
    R"(<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" )"
    R"(failures="0" skipped="0" tests="1" time="1.500"><testcase classname="tests.test_early" )"
    R"(name="test_one" time="0.100" /></testsuite></testsuites>)";

TestEntry entry(std::string nodeid, std::string outcome, std::string message = "") {
    TestEntry test;
    test.nodeid = std::move(nodeid);
    test.outcome = std::move(outcome);
    test.message = std::move(message);
    test.duration_s = 0.25;
    return test;
}

struct Merged {
    pugi::xml_document doc;
    pugi::xml_node suite;

    pugi::xml_node testcase(const char* classname, const char* name) const {
        return suite.find_child([&](pugi::xml_node node) {
            return std::string_view(node.attribute("classname").value()) == classname &&
                   std::string_view(node.attribute("name").value()) == name;
        });
    }
    std::size_t cases() const {
        auto range = suite.children("testcase");
        return static_cast<std::size_t>(std::distance(range.begin(), range.end()));
    }
};

std::unique_ptr<Merged> parse(const Patch& patch) {
    auto merged = std::make_unique<Merged>();
    EXPECT_TRUE(patch.error.empty()) << patch.error;
    EXPECT_TRUE(patch.text);
    EXPECT_TRUE(merged->doc.load_string(patch.text.value_or("").c_str()));
    merged->suite = merged->doc.child("testsuites").child("testsuite");
    return merged;
}

TEST(JunitMerge, TheAttemptsFilesBecomeOneSuiteWithItsCountsRecounted) {
    auto patch = merge_junit({kFirstAttempt, data_file("pytest72_junit.xml")}, {}, fixed_context());
    auto merged = parse(patch);
    EXPECT_EQ(merged->cases(), 9U);
    EXPECT_TRUE(merged->testcase("tests.test_early", "test_one"));
    EXPECT_TRUE(merged->testcase("tests.test_sample", "test_fails").child("failure"));
    // pytest counted the teardown error after a passed call as a second test: kept.
    EXPECT_STREQ(merged->suite.attribute("tests").value(), "10");
    EXPECT_STREQ(merged->suite.attribute("failures").value(), "1");
    EXPECT_STREQ(merged->suite.attribute("errors").value(), "2");
    EXPECT_STREQ(merged->suite.attribute("skipped").value(), "1");
    EXPECT_STREQ(merged->suite.attribute("time").value(), "1.524");
    EXPECT_EQ(std::distance(merged->doc.child("testsuites").children("testsuite").begin(),
                            merged->doc.child("testsuites").children("testsuite").end()),
              1);
    EXPECT_EQ(patch.added, 0U);
}

TEST(JunitMerge, TestsNoFileHoldsAreAddedInPytestsWords) {
    auto failed = entry("tests/test_early.py::test_two", "failed", "assert 1 == 2");
    failed.longrepr = "def test_two():\n>       assert 1 == 2\nE       assert 1 == 2\n";
    auto error = entry("tests/test_early.py::TestX::test_three", "error");
    error.failed_phase = "setup";
    error.longrepr = "E   RuntimeError: <no> & \"db\"\n";
    auto props = entry("tests/test_early.py::test_props", "passed");
    props.properties = nlohmann::json::array({{"rows", 3}});
    std::vector<TestEntry> tests{
        entry("tests/test_early.py::test_one", "passed"),  // in the file already: kept as is
        failed,
        error,
        entry("tests/test_early.py::test_four", "skipped", "no network"),
        entry("tests/test_early.py::test_five", "xfailed", "known bug"),
        entry("tests/test_early.py::test_six", "not_run", "interrupted: stopped by SIGTERM"),
        props,
    };
    auto patch = merge_junit({kFirstAttempt}, tests, fixed_context());
    auto merged = parse(patch);
    EXPECT_EQ(patch.added, 6U);
    EXPECT_EQ(merged->cases(), 7U);
    EXPECT_STREQ(merged->testcase("tests.test_early", "test_one").attribute("time").value(),
                 "0.100");
    auto failure = merged->testcase("tests.test_early", "test_two").child("failure");
    EXPECT_STREQ(failure.attribute("message").value(), "assert 1 == 2");
    EXPECT_NE(std::string(failure.text().get()).find(">       assert 1 == 2"), std::string::npos);
    auto setup = merged->testcase("tests.test_early.TestX", "test_three").child("error");
    EXPECT_STREQ(setup.attribute("message").value(),
                 "failed on setup with \"RuntimeError: <no> & \"db\"\"");
    auto skip = merged->testcase("tests.test_early", "test_four").child("skipped");
    EXPECT_STREQ(skip.attribute("type").value(), "pytest.skip");
    EXPECT_STREQ(skip.attribute("message").value(), "no network");
    EXPECT_STREQ(merged->testcase("tests.test_early", "test_five")
                     .child("skipped")
                     .attribute("type")
                     .value(),
                 "pytest.xfail");
    auto interrupted = merged->testcase("tests.test_early", "test_six").child("skipped");
    EXPECT_STREQ(interrupted.attribute("type").value(), "blackbox.not_run");
    EXPECT_STREQ(interrupted.attribute("message").value(), "interrupted: stopped by SIGTERM");
    auto property =
        merged->testcase("tests.test_early", "test_props").child("properties").child("property");
    EXPECT_STREQ(property.attribute("name").value(), "rows");
    EXPECT_STREQ(property.attribute("value").value(), "3");
    EXPECT_STREQ(merged->suite.attribute("tests").value(), "7");
    EXPECT_STREQ(merged->suite.attribute("failures").value(), "1");
    EXPECT_STREQ(merged->suite.attribute("errors").value(), "1");
    EXPECT_STREQ(merged->suite.attribute("skipped").value(), "3");
}

TEST(JunitMerge, WithoutAnyFileTheDocumentIsLikePytests) {
    auto patch = merge_junit({}, {entry("tests/test_x.py::test_a", "passed")}, fixed_context());
    auto merged = parse(patch);
    EXPECT_STREQ(merged->suite.attribute("name").value(), "pytest");
    EXPECT_STREQ(merged->suite.attribute("hostname").value(), "ci-runner");
    EXPECT_TRUE(merged->testcase("tests.test_x", "test_a"));
    EXPECT_EQ(patch.text->rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>", 0), 0U);
}

TEST(JunitMerge, AFileThatIsNotJunitIsAnErrorNotAGuess) {
    EXPECT_NE(merge_junit({"<html></html>"}, {}, fixed_context()).error, "");
    EXPECT_NE(merge_junit({"not xml <"}, {}, fixed_context()).error, "");
}

TEST(JunitMerge, TestCasesAreOrderedAsTheRunCollectedThem) {
    auto patch = merge_junit({kFirstAttempt}, {entry("tests/test_early.py::test_zero", "passed")},
                             fixed_context());
    auto ordered = order_junit(*patch.text,
                               {"tests/test_early.py::test_zero", "tests/test_early.py::test_one"});
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(ordered.c_str()));
    auto first = doc.child("testsuites").child("testsuite").child("testcase");
    EXPECT_STREQ(first.attribute("name").value(), "test_zero");
    EXPECT_STREQ(first.next_sibling("testcase").attribute("name").value(), "test_one");
}

}  // namespace
}  // namespace blackbox::repair
