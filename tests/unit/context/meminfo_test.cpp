#include <gtest/gtest.h>

#include <blackbox/context/meminfo.hpp>

#include "fake_sources.hpp"

namespace blackbox::context {
namespace {

using testing::recorded;

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
