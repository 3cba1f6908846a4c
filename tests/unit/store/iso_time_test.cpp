// Times written as pytest-monitor documents them: UTC, microseconds, no zone suffix.

#include <gtest/gtest.h>

#include <blackbox/store/iso_time.hpp>

namespace blackbox::store {
namespace {

TEST(IsoUtc, WritesMicrosecondsInUtc) {
    EXPECT_EQ(iso_utc(1795324151.488123), "2026-11-22T05:09:11.488123");
}

TEST(IsoUtc, OmitsAZeroFractionAsPythonsIsoformatDoes) {
    EXPECT_EQ(iso_utc(1767225600.0), "2026-01-01T00:00:00");
}

TEST(IsoUtc, RoundsToTheNearestMicrosecond) {
    EXPECT_EQ(iso_utc(1767225600.0000002), "2026-01-01T00:00:00");
    EXPECT_EQ(iso_utc(1767225600.9999998), "2026-01-01T00:00:01");
}

}  // namespace
}  // namespace blackbox::store
