// The strict reader of request bodies: types, sizes and hashes, and the first problem kept.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/wire/field_reader.hpp>
#include <blackbox/wire/json_body.hpp>

namespace blackbox::wire {
namespace {

using nlohmann::json;

TEST(FieldReader, ReadsTypedFields) {
    json body = {{"name", "x"}, {"n", 3}, {"f", 1.5}, {"h", "abc123"}, {"none", nullptr}};
    FieldReader in(body, "thing");
    EXPECT_EQ(in.text("name"), "x");
    EXPECT_EQ(in.integer("n"), 3);
    EXPECT_EQ(in.optional_number("f"), 1.5);
    EXPECT_EQ(in.hash("h"), "abc123");
    EXPECT_EQ(in.optional_text("none"), std::nullopt);
    EXPECT_EQ(in.rounded("f"), 2);
    EXPECT_TRUE(in.ok());
}

TEST(FieldReader, KeepsTheFirstProblem) {
    json body = {{"name", 5}, {"n", "3"}};
    FieldReader in(body, "thing");
    in.text("name");
    in.integer("n");
    EXPECT_FALSE(in.ok());
    EXPECT_EQ(in.error(), "thing: name must be a string");
}

TEST(FieldReader, RefusesOversizedTextAndMissingFields) {
    json body = {{"name", std::string(5000, 'a')}};
    FieldReader in(body, "thing");
    in.text("name");
    EXPECT_EQ(in.error(), "thing: name is longer than 4096 bytes");
    json empty = json::object();  // the reader keeps a reference: no temporary
    FieldReader missing(empty, "thing");
    missing.integer("n");
    EXPECT_EQ(missing.error(), "thing: n is missing");
}

TEST(FieldReader, RefusesTextWithNulCharacters) {
    json body = {{"name", std::string("a\0b", 3)}, {"other", "fine"}};
    FieldReader in(body, "thing");
    EXPECT_EQ(in.optional_text("other"), "fine");
    EXPECT_EQ(in.optional_text("name"), std::nullopt);
    EXPECT_EQ(in.error(), "thing: name must not contain NUL characters");
}

TEST(FieldReader, HashesAreAlphanumeric) {
    EXPECT_TRUE(is_hash("0123abcdef"));
    EXPECT_FALSE(is_hash(""));
    EXPECT_FALSE(is_hash("x' OR 1=1 --"));
    EXPECT_FALSE(is_hash("../../etc/passwd"));
    EXPECT_FALSE(is_hash(std::string(65, 'a')));
}

TEST(FieldReader, RefusesFractionsForIntegersAndNonFiniteNumbers) {
    json body = {{"n", 1.5}};
    FieldReader in(body, "thing");
    in.integer("n");
    EXPECT_EQ(in.error(), "thing: n must be an integer");
    json list = json::array();
    FieldReader array(list, "thing");
    EXPECT_EQ(array.error(), "thing: the body must be a JSON object");
}

TEST(JsonBody, RefusesDeepNestingBeforeParsing) {
    std::string deep = "{\"a\":" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
    EXPECT_EQ(parse_json_body(deep).error, "the body nests deeper than 32 levels");
    EXPECT_EQ(parse_json_body("{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}").error, "");
}

TEST(JsonBody, RefusesMalformedOrNonObjectBodies) {
    EXPECT_EQ(parse_json_body("{\"a\": ").error, "the body is not valid JSON");
    EXPECT_EQ(parse_json_body("[1]").error, "the body must be a JSON object");
    EXPECT_EQ(parse_json_body("{\"a\": \"\xff\"}").error, "the body is not valid JSON");
    EXPECT_TRUE(parse_json_body("{\"a\": 1}").value);
}

}  // namespace
}  // namespace blackbox::wire
