// pytest-html 4's data-jsonblob made mergeable, and the text tools under it.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/repair/html_jsonblob.hpp>
#include <blackbox/repair/html_tags.hpp>
#include <blackbox/repair/json_text_repair.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {

using base::html_escape;
using base::html_unescape;
using base::valid_utf8;
namespace {

using testing::data_file;

TEST(HtmlJsonBlob, FindsTheAttributeAndDecodesIt) {
    auto blob = find_jsonblob(data_file("pytest_html4.html"));
    ASSERT_TRUE(blob);
    auto data = nlohmann::json::parse(blob->json);
    EXPECT_EQ(data["title"], "report.html");
    EXPECT_EQ(data["tests"]["tests/test_sample.py::test_fails"][0]["resultsTableRow"][0],
              "<td class=\"col-result\">Failed</td>");
}

TEST(HtmlJsonBlob, AValidBlobIsLeftByteForByte) {
    auto result = sanitize_jsonblob(data_file("pytest_html4.html"));
    EXPECT_EQ(result.outcome, SanitizeOutcome::unchanged);
}

TEST(HtmlJsonBlob, SanitizingRepairsOnlyTheBlobAndOnlyOnce) {
    auto original = data_file("pytest_html4_broken_blob.html");
    auto result = sanitize_jsonblob(original);
    ASSERT_EQ(result.outcome, SanitizeOutcome::sanitized);
    auto blob = find_jsonblob(result.text);
    ASSERT_TRUE(blob);
    auto data = nlohmann::json::parse(blob->json);  // strict parsing now succeeds
    EXPECT_TRUE(data["environment"]["Load"].is_null());
    auto before = original.find("data-jsonblob=\"");
    EXPECT_EQ(result.text.substr(0, before), original.substr(0, before));
    auto tail = original.size() - original.find("\"></div>\n    <script>");
    EXPECT_EQ(result.text.substr(result.text.size() - tail),
              original.substr(original.size() - tail));
    EXPECT_EQ(sanitize_jsonblob(result.text).outcome, SanitizeOutcome::unchanged);
}

TEST(HtmlJsonBlob, APageWithoutABlobAndABlobBeyondRepairAreTold) {
    EXPECT_EQ(sanitize_jsonblob(data_file("pytest_html3.html")).outcome,
              SanitizeOutcome::no_jsonblob);
    auto result = sanitize_jsonblob("<div data-jsonblob=\"{&#34;tests&#34;: {\"></div>");
    EXPECT_EQ(result.outcome, SanitizeOutcome::invalid);
    EXPECT_FALSE(result.error.empty());
}

TEST(HtmlJsonBlob, SingleQuotedAttributesAreFoundToo) {
    auto result = sanitize_jsonblob("<div data-jsonblob='{\"a\": NaN}'></div>");
    ASSERT_EQ(result.outcome, SanitizeOutcome::sanitized);
    EXPECT_EQ(result.text, "<div data-jsonblob='{&#34;a&#34;: null}'></div>");
}

TEST(JsonTextRepair, FixesWhatStrictParsersReject) {
    EXPECT_EQ(repair_json_text("{\"a\": NaN, \"b\": [-Infinity, Infinity]}"),
              "{\"a\": null, \"b\": [null, null]}");
    EXPECT_EQ(repair_json_text("[\"NaN inside\tstring\n\x01\"]"),
              "[\"NaN inside\\tstring\\n\\u0001\"]");
    EXPECT_EQ(repair_json_text("[\"\\ud800 lone\", \"\\ud83d\\ude00 pair\", \"\\udc00\"]"),
              "[\"\\ufffd lone\", \"\\ud83d\\ude00 pair\", \"\\ufffd\"]");
    EXPECT_EQ(repair_json_text("[\"C:\\path\"]"), "[\"C:\\\\path\"]");
    EXPECT_EQ(repair_json_text("[\"caf\xe9\"]"), "[\"caf\xEF\xBF\xBD\"]");
}

TEST(JsonTextRepair, ValidJsonAndRepairedJsonComeBackUnchanged) {
    std::string valid = R"({"a": [1, 2.5e-05, true, null], "b": "x\"y\\z\u00e9\n"})";
    EXPECT_EQ(repair_json_text(valid), valid);
    auto once = repair_json_text("{\"a\": \"\\q\x02\", \"b\": NaN}");
    EXPECT_EQ(repair_json_text(once), once);
    EXPECT_TRUE(nlohmann::json::accept(once));
}

TEST(HtmlEscape, EscapesAndUnescapesExactly) {
    std::string text = "<a href=\"x\">Tom & Jerry's</a>";
    EXPECT_EQ(html_escape(text), "&lt;a href=&#34;x&#34;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
    EXPECT_EQ(html_unescape(html_escape(text)), text);
    EXPECT_EQ(html_unescape("&quot;&#x27;&#233;&nbsp;&bogus; & &#0; &#xD800;"),
              "\"'\xC3\xA9\xC2\xA0&bogus; & \xEF\xBF\xBD \xEF\xBF\xBD");
}

TEST(HtmlTags, SkipsCommentsAndScriptContent) {
    std::string html =
        "<!-- <div data-x=\"1\"> --><script>var s = '<div data-x=\"2\">';</script>"
        "<DIV class='a b' data-x=3 hidden>t</DIV>";
    std::vector<std::string> seen;
    for_each_tag(html, 0, [&](const HtmlTag& tag) {
        if (auto value = tag.attribute(html, "data-x")) {
            seen.emplace_back(*value);
        }
        return true;
    });
    EXPECT_EQ(seen, std::vector<std::string>{"3"});
    auto div = next_tag(html, html.find("<DIV"));
    ASSERT_TRUE(div);
    EXPECT_TRUE(has_class(*div->attribute(html, "class"), "b"));
    EXPECT_TRUE(div->find("hidden"));
}

TEST(HtmlTags, ATagThatNeverClosesEndsTheScan) {
    EXPECT_FALSE(next_tag("<div data-jsonblob=\"{never closed", 0));
}

TEST(Utf8Text, ReplacesBrokenSequencesAndKeepsValidText) {
    EXPECT_EQ(valid_utf8("ok \xC3\xA9 \xF0\x9F\x98\x80"), "ok \xC3\xA9 \xF0\x9F\x98\x80");
    EXPECT_EQ(valid_utf8("a\xE2\x82z"), "a\xEF\xBF\xBDz");
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD");  // an encoded surrogate
    EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD");      // an overlong '/'
}

}  // namespace
}  // namespace blackbox::repair
