// Reading back the ISO-8601 times run.json and end.json hold.

#include <gtest/gtest.h>

#include <blackbox/base/clock.hpp>

namespace blackbox::base {
namespace {

TEST(ParseIso8601Utc, ReadsWhatIso8601UtcWrites) {
    const std::int64_t wall = 1795337754488000000;
    EXPECT_EQ(iso8601_utc(wall), "2026-11-22T08:55:54.488Z");
    EXPECT_EQ(parse_iso8601_utc(iso8601_utc(wall)), wall);
}

TEST(ParseIso8601Utc, TakesAnyFractionAndNoZone) {
    EXPECT_EQ(parse_iso8601_utc("2026-01-01T00:00:00"), 1767225600000000000);
    EXPECT_EQ(parse_iso8601_utc("2026-01-01T00:00:00.000001"), 1767225600000001000);
}

TEST(ParseIso8601Utc, RefusesTimesBeyondNanosecondsIn64Bits) {
    EXPECT_EQ(parse_iso8601_utc("0014-01-01T00:00:00Z"), std::nullopt);
    EXPECT_EQ(parse_iso8601_utc("9999-12-31T23:59:59Z"), std::nullopt);
    EXPECT_EQ(parse_iso8601_utc("2200-01-01T00:00:00Z"), 7258118400000000000);
}

TEST(ParseIso8601Utc, RefusesOtherShapes) {
    EXPECT_EQ(parse_iso8601_utc(""), std::nullopt);
    EXPECT_EQ(parse_iso8601_utc("2026-01-01 00:00:00"), std::nullopt);
    EXPECT_EQ(parse_iso8601_utc("2026-01-01T00:00:00+02:00"), std::nullopt);
}

}  // namespace
}  // namespace blackbox::base
