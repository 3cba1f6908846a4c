// Scanning the kernel's and /etc's line-oriented text: lines, key-value fields and strict,
// locale-independent numbers. (Shared by the sampler's /proc parsers and the execution context.)

#include <cstdint>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <blackbox/base/text_scan.hpp>

namespace blackbox::base {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    std::string_view line;
    while (next_line(text, line)) {
        lines.push_back(line);
    }
    return lines;
}

TEST(TextScan, SplitsLinesWithOrWithoutAFinalNewline) {
    EXPECT_EQ(lines_of("a\nb\n"), (std::vector<std::string_view>{"a", "b"}));
    EXPECT_EQ(lines_of("a\n\nb"), (std::vector<std::string_view>{"a", "", "b"}));
    EXPECT_TRUE(lines_of("").empty());
}

TEST(TextScan, SplitsKeyAndValueAtTheFirstColon) {
    auto field = split_key_value("model name\t: Intel(R) Xeon(R) CPU @ 2.60GHz: x");
    ASSERT_TRUE(field);
    EXPECT_EQ(field->key, "model name");
    EXPECT_EQ(field->value, "Intel(R) Xeon(R) CPU @ 2.60GHz: x");
    EXPECT_FALSE(split_key_value("power management"));
}

TEST(TextScan, ParsesDecimalsWithoutLocale) {
    EXPECT_EQ(parse_decimal("2600.000"), 2600.0);
    EXPECT_EQ(parse_decimal("38"), 38.0);
    EXPECT_EQ(parse_decimal("12.34"), 12.34);
    EXPECT_DOUBLE_EQ(*parse_decimal("1804.812"), 1804.812);
    for (const char* bad : {"", ".5", "5.", "-1", "1e3", "1e5", "1,5", "1.2.3", "nan"}) {
        EXPECT_EQ(parse_decimal(bad), std::nullopt) << bad;
    }
}

TEST(TextScan, ParsesUnsignedAndRejectsOverflow) {
    EXPECT_EQ(parse_u64("2048"), 2048U);
    EXPECT_EQ(parse_u64("18446744073709551615"), UINT64_MAX);
    EXPECT_EQ(parse_u64("18446744073709551616"), std::nullopt);
    EXPECT_EQ(parse_u64("12a"), std::nullopt);
    EXPECT_EQ(parse_u64("12kB"), std::nullopt);
    EXPECT_EQ(parse_u64("-1"), std::nullopt);
    EXPECT_EQ(parse_u64(""), std::nullopt);
}

TEST(TextScan, ParsesHexadecimalWithoutPrefixOrSign) {
    EXPECT_EQ(parse_hex_u64("7f5a3b1e2f3d"), 0x7f5a3b1e2f3dU);
    EXPECT_EQ(parse_hex_u64("00026000"), 0x26000U);
    EXPECT_EQ(parse_hex_u64("FFFFFFFFFFFFFFFF"), UINT64_MAX);
    for (const char* bad : {"", "0x10", "-1", "+1", "1g", "10000000000000000", " 1"}) {
        EXPECT_EQ(parse_hex_u64(bad), std::nullopt) << bad;
    }
}

TEST(TextScan, ParsesTheKernelsKibibytes) {
    EXPECT_EQ(parse_kib("1748 kB"), 1748U * 1024);
    EXPECT_FALSE(parse_kib("1748 MB"));
    EXPECT_FALSE(parse_kib("18014398509481984 kB"));  // overflows in bytes
}

}  // namespace
}  // namespace blackbox::base
