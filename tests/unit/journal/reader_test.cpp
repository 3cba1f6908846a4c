#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/journal/reader.hpp>

namespace blackbox::journal {
namespace {

TEST(JournalReader, ReadsEveryCompleteRecord) {
    auto result = parse_journal(
        "{\"ev\":\"start\",\"ns\":1,\"v\":1}\n{\"ev\":\"test\",\"ns\":2,\"nodeid\":\"t.py::a\"}\n",
        "j");
    ASSERT_EQ(result.records.size(), 2U);
    EXPECT_EQ(result.records[1]["nodeid"], "t.py::a");
    EXPECT_FALSE(result.torn_tail);
    EXPECT_TRUE(result.warnings.empty());
}

TEST(JournalReader, ReadsTheExactBytesOfANameThatIsNotUtf8) {
    // What the plugin writes for tests in `test_\xff\xfe.py`: the text form, and the bytes.
    std::vector<std::string> names;
    auto summary = for_each_record(
        "{\"ev\":\"test\",\"ns\":1,\"nodeid\":\"test_\\\\xff\\\\xfe.py::t\","
        "\"nodeid_bytes\":\"dGVzdF///i5weTo6dA==\"}\n"
        "{\"ev\":\"test\",\"ns\":2,\"nodeid\":\"t\\u00e9.py::t\"}\n"
        "{\"ev\":\"test\",\"ns\":3,\"nodeid\":\"kept.py::t\",\"nodeid_bytes\":\"not base64!\"}\n",
        "j", [&names](const Record& record) { names.push_back(record.name("nodeid").value()); });
    EXPECT_TRUE(summary.warnings.empty());
    EXPECT_EQ(names,
              (std::vector<std::string>{"test_\xFF\xFE.py::t", "t\xC3\xA9.py::t", "kept.py::t"}));
}

TEST(JournalReader, KeepsRecordsBeforeATornTail) {
    auto result =
        parse_journal("{\"ev\":\"start\",\"ns\":1}\n{\"ev\":\"test\",\"ns\":2,\"nod", "j");
    ASSERT_EQ(result.records.size(), 1U);
    EXPECT_TRUE(result.torn_tail);
    ASSERT_EQ(result.warnings.size(), 1U);
    EXPECT_NE(result.warnings[0].find("torn"), std::string::npos);
}

TEST(JournalReader, ATornTailThatIsValidJsonIsStillSkipped) {
    // Without its newline the writer's single write() did not complete.
    auto result = parse_journal("{\"ev\":\"start\",\"ns\":1}\n{\"ev\":\"exit\",\"ns\":2}", "j");
    EXPECT_EQ(result.records.size(), 1U);
    EXPECT_TRUE(result.torn_tail);
}

TEST(JournalReader, SkipsGarbageLinesAndKeepsGoing) {
    auto result = parse_journal(
        "{\"ev\":\"start\",\"ns\":1}\n\x01\x02garbage\xff\n[1,2]\n\"str\"\n{\"no_ev\":1}\n"
        "{\"ev\":5}\n{\"ev\":\"exit\",\"ns\":9}\n",
        "j");
    ASSERT_EQ(result.records.size(), 2U);
    EXPECT_EQ(result.records[1]["ev"], "exit");
    EXPECT_EQ(result.warnings.size(), 5U);
    EXPECT_FALSE(result.torn_tail);
}

TEST(JournalReader, SkipsAnOversizedRecord) {
    std::string huge =
        "{\"ev\":\"end\",\"longrepr\":\"" + std::string(kMaxRecordBytes, 'x') + "\"}\n";
    auto result =
        parse_journal("{\"ev\":\"start\",\"ns\":1}\n" + huge + "{\"ev\":\"exit\"}\n", "j");
    ASSERT_EQ(result.records.size(), 2U);
    ASSERT_EQ(result.warnings.size(), 1U);
    EXPECT_NE(result.warnings[0].find("oversized"), std::string::npos);
}

TEST(JournalReader, KeepsUnknownRecordTypesForTheReplayToJudge) {
    auto result = parse_journal("{\"ev\":\"from_the_future\",\"ns\":1}\n", "j");
    EXPECT_EQ(result.records.size(), 1U);
}

TEST(JournalReader, AcceptsEmptyLinesAndEmptyFiles) {
    EXPECT_TRUE(parse_journal("", "j").records.empty());
    auto result = parse_journal("\n\n{\"ev\":\"start\"}\n\n", "j");
    EXPECT_EQ(result.records.size(), 1U);
    EXPECT_TRUE(result.warnings.empty());
}

TEST(JournalReader, KeepsNonAsciiNodeIdsByteForByte) {
    auto result = parse_journal(
        "{\"ev\":\"test\",\"nodeid\":\"t.py::test_x[\\u00e9-'q'-a::b/c]\"}\n"
        "{\"ev\":\"test\",\"nodeid\":\"t.py::test_y[\xc3\xa9]\"}\n",
        "j");
    ASSERT_EQ(result.records.size(), 2U);
    EXPECT_EQ(result.records[0]["nodeid"].get<std::string>(), "t.py::test_x[\xc3\xa9-'q'-a::b/c]");
    EXPECT_EQ(result.records[1]["nodeid"].get<std::string>(), "t.py::test_y[\xc3\xa9]");
}

TEST(JournalReader, RecordsGiveTypedValuesOrNothing) {
    std::size_t seen = 0;
    for_each_record(
        "{\"ev\":\"end\",\"ns\":5,\"dur\":0.5,\"phase\":\"call\",\"ok\":true,"
        "\"props\":[[\"k\",1]]}\n",
        "j", [&](const Record& record) {
            ++seen;
            EXPECT_EQ(record.ev(), "end");
            EXPECT_EQ(record.integer("ns"), 5);
            EXPECT_EQ(record.number("ns"), 5.0);
            EXPECT_EQ(record.number("dur"), 0.5);
            EXPECT_EQ(record.string("phase"), "call");
            EXPECT_EQ(record.boolean("ok"), true);
            EXPECT_FALSE(record.string("ns"));
            EXPECT_FALSE(record.integer("missing"));
            EXPECT_EQ(record.json("props"), nlohmann::json::parse("[[\"k\",1]]"));
            EXPECT_TRUE(record.json("missing").is_null());
        });
    EXPECT_EQ(seen, 1U);
}

TEST(JournalReader, AnUnreadableFileGivesAWarningNotAnError) {
    std::size_t records = 0;
    auto summary = for_each_record(std::filesystem::path("/nonexistent/journal.jsonl"),
                                   [&](const Record&) { ++records; });
    EXPECT_EQ(records, 0U);
    EXPECT_EQ(summary.warnings.size(), 1U);
}

TEST(JournalReader, StreamsAFileLongerThanItsChunksWithATornTail) {
    auto path = std::filesystem::temp_directory_path() /
                ("blackbox-reader-" + std::to_string(::getpid()) + ".jsonl");
    {
        std::ofstream out(path, std::ios::binary);
        for (int i = 0; i < 20000; ++i) {
            out << "{\"ev\":\"test\",\"ns\":" << i << ",\"nodeid\":\"t.py::test_" << i << "\"}\n";
        }
        out << "{\"ev\":\"begin\",\"ph";
    }
    std::int64_t last = -1;
    std::size_t records = 0;
    auto summary = for_each_record(path, [&](const Record& record) {
        EXPECT_EQ(record.integer("ns"), last + 1);
        last = record.integer("ns").value_or(-2);
        ++records;
    });
    std::filesystem::remove(path);
    EXPECT_EQ(records, 20000U);
    EXPECT_TRUE(summary.torn_tail);
    EXPECT_EQ(summary.warnings.size(), 1U);
}

}  // namespace
}  // namespace blackbox::journal
