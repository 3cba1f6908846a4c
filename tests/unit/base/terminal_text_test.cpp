#include <gtest/gtest.h>

#include <blackbox/base/terminal_text.hpp>

namespace blackbox::base {
namespace {

TEST(TerminalText, LeavesPrintableTextAlone) {
    EXPECT_EQ(terminal_text("tests/test_a.py::test_b[\xC3\xA9-1]"),
              "tests/test_a.py::test_b[\xC3\xA9-1]");
    EXPECT_EQ(terminal_text("a\\x1b stays as written"), "a\\x1b stays as written");
}

TEST(TerminalText, WritesEscapeSequencesVisiblySoTheTerminalNeverActsOnThem) {
    // A window title, a cleared screen, a cursor move: shown, never performed.
    EXPECT_EQ(terminal_text("t.py::p[\x1B]0;PWNED\x07\x1B[2J]"),
              "t.py::p[\\x1b]0;PWNED\\x07\\x1b[2J]");
    EXPECT_EQ(terminal_text("del\x7F nul"), "del\\x7f nul");
    EXPECT_EQ(terminal_text(std::string("a\0b", 3)), "a\\x00b");
    // C1 controls as UTF-8 (U+009B is CSI to some terminals) and bidirectional overrides.
    EXPECT_EQ(terminal_text("x\xC2\x9B"
                            "2Jy"),
              "x\\u009b2Jy");
    EXPECT_EQ(terminal_text("evil\xE2\x80\xAEtxt.py"), "evil\\u202etxt.py");
    EXPECT_EQ(terminal_text("iso\xE2\x81\xA6late"), "iso\\u2066late");
}

TEST(TerminalText, WritesBytesThatAreNotUtf8AsHex) {
    EXPECT_EQ(terminal_text("test_\xFF\xFE.py"), "test_\\xff\\xfe.py");
    EXPECT_EQ(terminal_text("\xC3\x28 \xED\xA0\x80"), "\\xc3( \\xed\\xa0\\x80");
    EXPECT_EQ(terminal_text("cut \xE2\x82"), "cut \\xe2\\x82");
}

TEST(TerminalText, EscapesLineBreaksInOneLineAndKeepsThemInABlock) {
    EXPECT_EQ(terminal_text("a\nb\tc\rd"), "a\\nb\\tc\\rd");
    EXPECT_EQ(terminal_text("a\nb\tc\r\nd\re", Newlines::keep), "a\nb\tc\r\nd\\re");
    EXPECT_EQ(terminal_text("line\n\x1B[31mred\n", Newlines::keep), "line\n\\x1b[31mred\n");
}

}  // namespace
}  // namespace blackbox::base
