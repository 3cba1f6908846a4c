// Crashed tests into a JUnit XML file written by pytest 7.2.

#include <pugixml.hpp>
#include <sstream>

#include <gtest/gtest.h>

#include <blackbox/repair/junit_repair.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

using testing::data_file;
using testing::fixed_context;

Patch repair_twice(const std::optional<std::string>& text, const std::vector<CrashEntry>& crashes) {
    return testing::repaired_twice(text, [&](const std::optional<std::string>& input) {
        return repair_junit(input, crashes, fixed_context());
    });
}

struct Parsed {
    pugi::xml_document doc;
    pugi::xml_node suite;
};

std::unique_ptr<Parsed> parse(const std::string& text) {
    auto parsed = std::make_unique<Parsed>();
    EXPECT_TRUE(parsed->doc.load_string(text.c_str()));
    parsed->suite = parsed->doc.child("testsuites").child("testsuite");
    return parsed;
}

pugi::xml_node testcase(pugi::xml_node suite, const char* classname, const char* name) {
    return suite.find_child([&](pugi::xml_node node) {
        return std::string_view(node.attribute("classname").value()) == classname &&
               std::string_view(node.attribute("name").value()) == name;
    });
}

TEST(JunitRepair, AddsATestcaseWithAnErrorNamedAsPytestNamesIt) {
    auto patch = repair_twice(data_file("pytest72_junit.xml"),
                              {testing::segfault("tests/test_sample.py::TestGroup::test_x[a-1]")});
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.added, 1U);
    auto parsed = parse(*patch.text);
    auto added = testcase(parsed->suite, "tests.test_sample.TestGroup", "test_x[a-1]");
    ASSERT_TRUE(added);
    auto error = added.child("error");
    EXPECT_STREQ(error.attribute("message").value(), "crashed in call: segfault (SIGSEGV)");
    EXPECT_NE(std::string(error.text().get()).find("Fatal Python error: Segmentation fault"),
              std::string::npos);
    EXPECT_STREQ(parsed->suite.attribute("errors").value(), "3");
    EXPECT_STREQ(parsed->suite.attribute("tests").value(), "10");
    EXPECT_STREQ(parsed->suite.attribute("failures").value(), "1");  // the rest is kept
    EXPECT_STREQ(parsed->suite.attribute("hostname").value(), "vm");
}

TEST(JunitRepair, KeepsEverythingPytestWroteBeforeTheNewTestcase) {
    auto original = data_file("pytest72_junit.xml");
    auto patch = repair_twice(original, {testing::crash("tests/test_sample.py::test_new")});
    ASSERT_TRUE(patch.text);
    // pugixml writes the same tree back: only "<x />" becomes "<x/>" and ">" in attributes is
    // no longer escaped.
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(
        original.c_str(), pugi::parse_default | pugi::parse_declaration | pugi::parse_ws_pcdata));
    std::ostringstream resaved;
    doc.save(resaved, "", pugi::format_raw | pugi::format_no_declaration);
    auto expected = resaved.str();
    auto begin = expected.find("<testcase");
    auto end = expected.rfind("</testsuite>");
    auto patched_begin = patch.text->find("<testcase");
    EXPECT_EQ(patch.text->substr(patched_begin, end - begin), expected.substr(begin, end - begin));
}

TEST(JunitRepair, MarksTheTestcaseWhoseCallPassedInsteadOfAddingADuplicate) {
    auto patch =
        repair_twice(data_file("pytest72_junit.xml"),
                     {testing::segfault("tests/test_sample.py::test_sizes[big]", "teardown")});
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.marked, 1U);
    auto parsed = parse(*patch.text);
    int count = 0;
    for (auto node : parsed->suite.children("testcase")) {
        count += std::string_view(node.attribute("name").value()) == "test_sizes[big]";
    }
    EXPECT_EQ(count, 1);
    auto marked = testcase(parsed->suite, "tests.test_sample", "test_sizes[big]");
    EXPECT_STREQ(marked.child("error").attribute("message").value(),
                 "crashed in teardown: segfault (SIGSEGV)");
    EXPECT_STREQ(parsed->suite.attribute("errors").value(), "3");
    EXPECT_STREQ(parsed->suite.attribute("tests").value(), "10");
}

TEST(JunitRepair, LeavesATestcaseThatAlreadyFailedAlone) {
    auto patch = repair_twice(data_file("pytest72_junit.xml"),
                              {testing::crash("tests/test_sample.py::test_fails"),
                               testing::crash("tests/test_sample.py::test_teardown_error")});
    EXPECT_FALSE(patch.text);
    EXPECT_EQ(patch.already, 2U);
}

TEST(JunitRepair, ReplacesXdistsPlaceholderWithTheCrash) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites><testsuite name=\"pytest\" "
        "errors=\"1\" failures=\"0\" skipped=\"0\" tests=\"1\" time=\"1.0\"><testcase "
        "classname=\"test_a\" name=\"test_x\" time=\"0.000\"><error message=\"failed on setup "
        "with &quot;worker 'gw0' crashed while running 'test_a.py::test_x'&quot;\">worker "
        "'gw0' crashed while running 'test_a.py::test_x'</error></testcase></testsuite>"
        "</testsuites>";
    auto patch = repair_twice(xml, {testing::segfault("test_a.py::test_x")});
    ASSERT_TRUE(patch.text);
    auto parsed = parse(*patch.text);
    auto error = parsed->suite.child("testcase").child("error");
    EXPECT_STREQ(error.attribute("message").value(), "crashed in call: segfault (SIGSEGV)");
    EXPECT_STREQ(parsed->suite.attribute("errors").value(), "1");
}

TEST(JunitRepair, CreatesAFileLikePytestsWhenThereIsNone) {
    auto patch = repair_twice(std::nullopt, testing::logged_crashes());
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.text->rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites>", 0), 0U);
    auto parsed = parse(*patch.text);
    EXPECT_STREQ(parsed->suite.attribute("name").value(), "pytest");
    EXPECT_STREQ(parsed->suite.attribute("tests").value(), "3");
    EXPECT_STREQ(parsed->suite.attribute("errors").value(), "3");
    EXPECT_STREQ(parsed->suite.attribute("timestamp").value(), "2026-11-22T06:40:00.000000");
    EXPECT_STREQ(parsed->suite.attribute("hostname").value(), "ci-runner");
    EXPECT_TRUE(testcase(parsed->suite, "tests.test_sample.TestGroup",
                         "test_explodes[<script>alert(1)</script>]"));
}

TEST(JunitRepair, ControlCharactersInATracebackStayValidXml) {
    auto entry = testing::segfault("a.py::t");
    entry.traceback = std::string("bell \x07 and \x1b[31mred\x1b[0m \xff\n");
    auto patch = repair_twice(std::nullopt, {entry});
    ASSERT_TRUE(patch.text);
    auto parsed = parse(*patch.text);
    std::string text = parsed->suite.child("testcase").child("error").text().get();
    EXPECT_NE(text.find("bell #x07 and #x1B[31mred"), std::string::npos);
    EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(JunitRepair, ReportsWhatIsNotJunitXml) {
    auto torn = data_file("pytest72_junit.xml").substr(0, 400);
    EXPECT_NE(
        repair_junit(torn, testing::logged_crashes(), fixed_context()).error.find("not valid XML"),
        std::string::npos);
    EXPECT_NE(
        repair_junit("<html/>", testing::logged_crashes(), fixed_context()).error.find("<html>"),
        std::string::npos);
}

}  // namespace
}  // namespace blackbox::repair
