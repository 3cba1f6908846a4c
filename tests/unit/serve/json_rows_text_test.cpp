// Rows written as JSON text read back as the values written, escaped as nlohmann escapes them.

#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/serve/json_rows_text.hpp>

namespace blackbox::serve {
namespace {

using nlohmann::json;

TEST(JsonRowsText, WritesRowsThatReadBackAsWritten) {
    const std::string text = std::string("a\"b\\c\n\t\x01\x1f") + "é 😀 \x7f";
    const double numbers[] = {0.1,
                              -0.0,
                              1e300,
                              5e-324,
                              1.0,
                              1e16,
                              0.30000000000000004,
                              std::numeric_limits<double>::max()};
    JsonRowsText rows;
    for (double number : numbers) {
        rows.begin_row();
        rows.field("text", text);
        rows.field("number", number);
        rows.field("integer", std::numeric_limits<std::int64_t>::min());
        rows.field("none", std::optional<double>());
        rows.field("some", std::optional<std::string>("x"));
    }
    const auto written = rows.finish();
    const auto parsed = json::parse(written);
    ASSERT_EQ(parsed.size(), std::size(numbers));
    for (std::size_t i = 0; i < std::size(numbers); ++i) {
        const auto& row = parsed[i];
        EXPECT_EQ(row["text"], text);
        EXPECT_EQ(row["number"].get<double>(), numbers[i]);
        EXPECT_EQ(row["integer"], std::numeric_limits<std::int64_t>::min());
        EXPECT_TRUE(row["none"].is_null());
        EXPECT_EQ(row["some"], "x");
    }
    EXPECT_NE(written.find(json(text).dump()), std::string::npos);  // nlohmann's escapes
    EXPECT_EQ(rows.finish(), "[]");
}

}  // namespace
}  // namespace blackbox::serve
