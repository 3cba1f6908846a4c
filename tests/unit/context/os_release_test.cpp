#include <gtest/gtest.h>

#include <blackbox/context/os_release.hpp>

#include "fake_sources.hpp"

namespace blackbox::context {
namespace {

using testing::recorded;

TEST(OsRelease, ReadsTheRecordedDebianFile) {
    auto fields = parse_os_release(recorded("os-release-debian12"));
    EXPECT_EQ(fields["ID"], "debian");
    EXPECT_EQ(fields["NAME"], "Debian GNU/Linux");
    EXPECT_EQ(fields["VERSION_ID"], "12");
    EXPECT_EQ(fields["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
    EXPECT_EQ(fields["HOME_URL"], "https://www.debian.org/");
}

TEST(OsRelease, ReadsUnquotedValues) {
    auto fields = parse_os_release(recorded("os-release-alpine-unquoted"));
    EXPECT_EQ(fields["ID"], "alpine");
    EXPECT_EQ(fields["VERSION_ID"], "3.19.1");
    EXPECT_EQ(fields["PRETTY_NAME"], "Alpine Linux v3.19");
}

TEST(OsRelease, UndoesShellQuotingAndEscapes) {
    auto fields = parse_os_release(
        "A='single \"quoted\" $x'\n"
        "B=\"double \\\"quoted\\\" \\$x \\\\ \\n\"\n"
        "C=un\\ quoted\n"
        "D=\"joined\"' words'\n"
        "E=\n");
    EXPECT_EQ(fields["A"], "single \"quoted\" $x");
    EXPECT_EQ(fields["B"], "double \"quoted\" $x \\ \\n");
    EXPECT_EQ(fields["C"], "un quoted");
    EXPECT_EQ(fields["D"], "joined words");
    EXPECT_EQ(fields["E"], "");
}

TEST(OsRelease, SkipsCommentsBlankAndMalformedLines) {
    auto fields = parse_os_release(
        "# a comment\n\n   \nNOT AN ASSIGNMENT\nBAD-KEY=x\n=x\nOPEN=\"never closed\n"
        "ID=arch # trailing comment\r\nID_LIKE=x");
    EXPECT_EQ(fields.size(), 2u);
    EXPECT_EQ(fields["ID"], "arch");
    EXPECT_EQ(fields["ID_LIKE"], "x");
}

TEST(OsRelease, RepeatedKeyKeepsTheLastValue) {
    EXPECT_EQ(parse_os_release("ID=a\nID=b\n").at("ID"), "b");
}

}  // namespace
}  // namespace blackbox::context
