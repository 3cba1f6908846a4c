#include <gtest/gtest.h>

#include <blackbox/base/json_text.hpp>
#include <blackbox/base/utf8_text.hpp>

namespace blackbox::base {
namespace {

TEST(JsonText, NeverThrowsOnBytesThatAreNotUtf8) {
    // What a crashing test printed, kept as bytes: nlohmann's plain dump() throws type_error.316.
    nlohmann::json value = {{"captured_stdout", "\xC3\x28\n\xED\xA0\x80"}, {"n", 1}};
    EXPECT_THROW((void)value.dump(), nlohmann::json::type_error);
    auto text = json_text(value);
    EXPECT_EQ(text,
              "{\"captured_stdout\":\"\xEF\xBF\xBD(\\n\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\","
              "\"n\":1}");
    EXPECT_TRUE(is_valid_utf8(text));
    EXPECT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
    nlohmann::ordered_json ordered = {{"k", "\xFF"}};
    EXPECT_EQ(json_text(ordered, 1), "{\n \"k\": \"\xEF\xBF\xBD\"\n}");
}

TEST(JsonText, AsciiTextHoldsNothingATerminalActsOn) {
    nlohmann::json value = {{"k", "\x1B]0;x\x07 \x7F \xC2\x9B \xE2\x80\xAE"}};
    EXPECT_EQ(json_text(value, -1, Ascii::yes),
              "{\"k\":\"\\u001b]0;x\\u0007 \\u007f \\u009b \\u202e\"}");
}

TEST(JsonText, KeepsTheExactBytesOfANameBesideItsText) {
    nlohmann::json object = nlohmann::json::object();
    put_name(object, "nodeid", "test_\xFF\xFE.py::t");
    put_name(object, "plain", "t\xC3\xA9.py::t");
    EXPECT_EQ(object["nodeid"], "test_\\xff\\xfe.py::t");
    EXPECT_EQ(object["nodeid_bytes"], "dGVzdF///i5weTo6dA==");
    EXPECT_EQ(object["plain"], "t\xC3\xA9.py::t");
    EXPECT_FALSE(object.contains("plain_bytes"));
    EXPECT_EQ(name_at(object, "nodeid"), "test_\xFF\xFE.py::t");
    EXPECT_EQ(name_at(object, "plain"), "t\xC3\xA9.py::t");
    EXPECT_EQ(name_at(object, "absent"), std::nullopt);
    put_names(object, "command", {"python3", "test_\xFF.py"});
    EXPECT_EQ(object["command"], nlohmann::json({"python3", "test_\\xff.py"}));
    EXPECT_EQ(object["command_bytes"], nlohmann::json({"cHl0aG9uMw==", "dGVzdF//LnB5"}));
}

TEST(NameText, KeepsValidUtf8AndWritesEveryOtherByteAsHex) {
    EXPECT_EQ(name_text("t\xC3\xA9.py"), "t\xC3\xA9.py");
    EXPECT_EQ(name_text("test_\xFF\xFE.py"), "test_\\xff\\xfe.py");
    // Overlong forms, encoded surrogates and truncated sequences: every byte, as Python's
    // "backslashreplace" decodes them.
    EXPECT_EQ(name_text("\xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 \xE2\x82"),
              "\\xc0\\xaf \\xed\\xa0\\x80 \\xf4\\x90\\x80\\x80 \\xe2\\x82");
    EXPECT_TRUE(is_valid_utf8(name_text("\xFF\x80\xC3")));
    EXPECT_FALSE(is_valid_utf8("\xC3\x28"));
}

}  // namespace
}  // namespace blackbox::base
