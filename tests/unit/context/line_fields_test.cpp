#include <gtest/gtest.h>

#include <blackbox/context/line_fields.hpp>
#include <blackbox/context/meminfo.hpp>

#include "fake_sources.hpp"

namespace blackbox::context {
namespace {

using testing::recorded;

TEST(LineFields, SplitsLinesWithOrWithoutAFinalNewline) {
    EXPECT_EQ(split_lines("a\nb\n"), (std::vector<std::string_view>{"a", "b"}));
    EXPECT_EQ(split_lines("a\n\nb"), (std::vector<std::string_view>{"a", "", "b"}));
    EXPECT_TRUE(split_lines("").empty());
}

TEST(LineFields, SplitsKeyAndValueAtTheFirstColon) {
    auto field = split_key_value("model name\t: Intel(R) Xeon(R) CPU @ 2.60GHz: x");
    ASSERT_TRUE(field);
    EXPECT_EQ(field->key, "model name");
    EXPECT_EQ(field->value, "Intel(R) Xeon(R) CPU @ 2.60GHz: x");
    EXPECT_FALSE(split_key_value("power management"));
}

TEST(LineFields, ParsesDecimalsWithoutLocale) {
    EXPECT_EQ(parse_decimal("2600.000"), 2600.0);
    EXPECT_EQ(parse_decimal("38"), 38.0);
    EXPECT_DOUBLE_EQ(*parse_decimal("1804.812"), 1804.812);
    for (const char* bad : {"", ".5", "5.", "-1", "1e3", "1,5", "1.2.3", "nan"}) {
        EXPECT_EQ(parse_decimal(bad), std::nullopt) << bad;
    }
}

TEST(LineFields, ParsesUnsignedAndRejectsOverflow) {
    EXPECT_EQ(parse_unsigned("18446744073709551615"), UINT64_MAX);
    EXPECT_EQ(parse_unsigned("18446744073709551616"), std::nullopt);
    EXPECT_EQ(parse_unsigned("12a"), std::nullopt);
    EXPECT_EQ(parse_unsigned(""), std::nullopt);
}

TEST(MeminfoTotal, TotalIsKibibytesTimes1024) {
    EXPECT_EQ(parse_meminfo_total(recorded("meminfo-x86_64")), 24684084ull * 1024);
    EXPECT_EQ(parse_meminfo_total(recorded("meminfo-aarch64-android")), 7672836ull * 1024);
}

TEST(MeminfoTotal, MissingOrMalformedTotalGivesNothing) {
    EXPECT_EQ(parse_meminfo_total(""), std::nullopt);
    EXPECT_EQ(parse_meminfo_total("MemFree: 10 kB\n"), std::nullopt);
    EXPECT_EQ(parse_meminfo_total("MemTotal: lots kB\n"), std::nullopt);
    EXPECT_EQ(parse_meminfo_total("MemTotal: 10 MB\n"), std::nullopt);
}

}  // namespace
}  // namespace blackbox::context
