// Sizes as users write them ("300M", "1.5GB", "512 MiB"): binary units, as pytest-memray reads
// them, and errors that say what is accepted. (The parser lives in base/, shared by the CLI and
// markers.)

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include <blackbox/base/memory_size.hpp>

namespace blackbox::base {
namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;
constexpr std::uint64_t GiB = 1024 * MiB;
constexpr std::uint64_t TiB = 1024 * GiB;

struct Accepted {
    const char* text;
    std::uint64_t bytes;
};

TEST(MemorySize, ReadsEveryUnitAsAPowerOf1024) {
    const Accepted table[] = {
        {"300M", 300 * MiB},
        {"512MiB", 512 * MiB},
        {"1.5GB", 3 * GiB / 2},
        {"100 MB", 100 * MiB},
        {"2G", 2 * GiB},
        {"1024", 1024},
        {"64k", 64 * KiB},
        {"64K", 64 * KiB},
        {"64kb", 64 * KiB},
        {"64KiB", 64 * KiB},
        {"64kib", 64 * KiB},
        {"3mb", 3 * MiB},
        {"1t", TiB},
        {"1TB", TiB},
        {"1TiB", TiB},
        {"2gib", 2 * GiB},
        {"0", 0},
        {"17B", 17},
        {"  8M  ", 8 * MiB},
        {"\t8 M\n", 8 * MiB},
        {".5G", GiB / 2},
        {"0.1K", 102},
        {"1P", 1024 * TiB},
        {"16777215T", 16777215 * TiB},
    };
    for (const auto& [text, bytes] : table) {
        auto parsed = parse_size(text);
        EXPECT_EQ(parsed.bytes, bytes) << text << ": " << parsed.error;
        EXPECT_EQ(parsed.error, "") << text;
    }
}

TEST(MemorySize, RejectsWhatIsNotASizeAndNamesTheAcceptedForms) {
    const char* table[] = {"",      "   ",  "-1",  "-5M",  "12X", "1.5.2G", "M",   "1.",  "+5M",
                           "5 M B", "0x10", "1e6", "1,5G", "1.5", "2.5B",   "5MM", "five"};
    for (const char* text : table) {
        auto parsed = parse_size(text);
        EXPECT_EQ(parsed.bytes, std::nullopt) << text;
        EXPECT_NE(parsed.error.find("1024"), std::string::npos) << parsed.error;
        EXPECT_NE(parsed.error.find("MiB"), std::string::npos) << parsed.error;
    }
}

TEST(MemorySize, SaysWhatIsWrong) {
    EXPECT_NE(parse_size("-5M").error.find("negative"), std::string::npos);
    EXPECT_NE(parse_size("12X").error.find("unknown unit \"X\""), std::string::npos);
    EXPECT_NE(parse_size("").error.find("empty"), std::string::npos);
    EXPECT_NE(parse_size("1.5.2G").error.find("\"1.5.2G\""), std::string::npos);
    EXPECT_NE(parse_size("1.5").error.find("whole"), std::string::npos);
}

TEST(MemorySize, RejectsSizesBeyond64Bits) {
    EXPECT_EQ(parse_size("18446744073709551615").bytes, UINT64_MAX);
    EXPECT_EQ(parse_size("18446744073709551616").bytes, std::nullopt);
    EXPECT_NE(parse_size("16777216T").error.find("too large"), std::string::npos);
    EXPECT_EQ(parse_size("99999999999999999999999G").bytes, std::nullopt);
}

TEST(MemorySize, FormatsInTheLargestUnitWithOneDecimal) {
    EXPECT_EQ(format_size(0), "0 B");
    EXPECT_EQ(format_size(300), "300 B");
    EXPECT_EQ(format_size(64 * MiB), "64 MiB");
    EXPECT_EQ(format_size(3 * GiB / 2), "1.5 GiB");
    EXPECT_EQ(format_size(GiB - 1), "1023.9 MiB");
    EXPECT_EQ(format_size(UINT64_MAX), "15.9 EiB");
}

}  // namespace
}  // namespace blackbox::base
