#include <cerrno>
#include <fstream>

#include <gtest/gtest.h>

#include <blackbox/sample/trail_format.hpp>
#include <blackbox/sample/trail_reader.hpp>
#include <blackbox/sample/trail_writer.hpp>

#include "../file_size_limit.hpp"
#include "sample_support.hpp"

namespace blackbox::sample {
namespace {

Sample full_sample() {
    Sample sample;
    sample.ns = 123456789012;
    sample.rss = 300;
    sample.procs = {{10, 100, 0, 90}, {11, 200, 10, 150}};
    sample.pss = 240;
    sample.swap = 0;
    sample.mem = MemInfo{1000, 100, 500, 200, 0, 0};
    sample.psi = Pressure{1.5, 0.25, 77, 33};
    sample.cg = CgroupMemory{4096, MemoryLimit{}, 0};
    return sample;
}

struct Collected {
    std::vector<SamplerHeader> headers;
    std::vector<Sample> samples;
    std::vector<TopRecord> tops;
    std::vector<Note> notes;
    TrailHandlers handlers() {
        return {[this](const SamplerHeader& h) { headers.push_back(h); },
                [this](const Sample& s) { samples.push_back(s); },
                [this](const TopRecord& t) { tops.push_back(t); },
                [this](const Note& n) { notes.push_back(n); }};
    }
};

TEST(TrailFormat, EveryRecordIsOneLine) {
    std::string line = encode_line(full_sample());
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_EQ(line.rfind("{\"ev\":\"sample\",", 0), 0U) << line;
}

TEST(TrailFormat, RecordsComeBackAsTheyWent) {
    SamplerHeader header;
    header.ns = 5;
    header.interval_s = 0.05;
    header.top_interval_s = 2;
    header.page_size = 4096;
    header.root = 10;
    header.tree = "children";
    header.cgroup = CgroupInfo{2, "/a b", MemoryLimit{1 << 30}};
    header.hidden = {"/proc/pressure/memory"};
    header.pss_interval_s = 0.25;
    header.pss_max_share = 0.004;
    Sample sparse;
    sparse.ns = 9;
    TopRecord top{7, {{1, 4096, "init"}, {2, 8192, "a) \"b\""}}};
    Note note{8, "threshold", "usage crossed 270 MiB", 10};

    Collected got;
    TrailSummary summary = for_each_sample_in(
        encode_line(header) + encode_line(full_sample()) + encode_line(sparse) + encode_line(top) +
            encode_line(note) + encode_line(Note{9, "stopped", "done", {}}),
        got.handlers());
    EXPECT_EQ(summary.records, 6U);
    EXPECT_EQ(summary.skipped, 0U);
    ASSERT_EQ(got.headers.size(), 1U);
    EXPECT_EQ(got.headers[0], header);
    ASSERT_EQ(got.samples.size(), 2U);
    EXPECT_EQ(got.samples[0], full_sample());
    EXPECT_EQ(got.samples[1], sparse);
    ASSERT_EQ(got.tops.size(), 1U);
    EXPECT_EQ(got.tops[0], top);
    ASSERT_EQ(got.notes.size(), 2U);
    EXPECT_EQ(got.notes[0], note);
    EXPECT_FALSE(got.notes[1].pid);
}

TEST(TrailFormat, PssIsAFourthFigureOfAProcessAndTheTreesSumOnlyWhereRead) {
    std::string line = encode_line(full_sample());
    EXPECT_NE(line.find("\"procs\":[[10,100,0,90],[11,200,10,150]],\"pss\":240,"),
              std::string::npos)
        << line;
    Sample without = full_sample();
    without.pss.reset();
    for (auto& process : without.procs) {
        process.pss.reset();
    }
    line = encode_line(without);
    EXPECT_NE(line.find("\"procs\":[[10,100,0],[11,200,10]],\"swap\""), std::string::npos) << line;
}

TEST(TrailFormat, AnUnlimitedCgroupIsNullAndAnUnreadableLimitIsAbsent) {
    Sample sample;
    sample.cg = CgroupMemory{1, MemoryLimit{}, {}};
    EXPECT_NE(encode_line(sample).find("\"cg\":{\"usage\":1,\"limit\":null}"), std::string::npos)
        << encode_line(sample);
    sample.cg->limit.reset();
    EXPECT_NE(encode_line(sample).find("\"cg\":{\"usage\":1}"), std::string::npos);
}

TEST(TrailFormat, InvalidUtf8InANameIsReplacedNotThrown) {
    std::string line = encode_line(TopRecord{1, {{5, 1, "bad\xff\xfe"}}});
    EXPECT_NE(line.find("bad"), std::string::npos);
}

TEST(TrailReader, KeepsRecordsBeforeATornTail) {
    std::string trail = encode_line(full_sample()) + encode_line(full_sample());
    trail.resize(trail.size() - 10);
    Collected got;
    TrailSummary summary = for_each_sample_in(trail, got.handlers());
    EXPECT_EQ(got.samples.size(), 1U);
    EXPECT_TRUE(summary.torn_tail);
    ASSERT_EQ(summary.warnings.size(), 1U);
}

TEST(TrailReader, SkipsGarbageAndRecordsWithoutTheirEssentials) {
    Collected got;
    TrailSummary summary = for_each_sample_in(
        "garbage\n[1]\n{\"ev\":\"sample\",\"ns\":1}\n{\"ev\":\"sample\",\"ns\":\"x\",\"rss\":1}\n"
        "{\"ev\":\"sample\",\"ns\":2,\"rss\":-5}\n{\"ev\":\"future\",\"ns\":3}\n\n" +
            encode_line(full_sample()),
        got.handlers());
    EXPECT_EQ(got.samples.size(), 1U);
    EXPECT_EQ(summary.skipped, 5U);
    EXPECT_EQ(summary.records, 2U);  // the unknown type counts, undelivered
    EXPECT_FALSE(summary.torn_tail);
}

TEST(TrailReader, AFigureOfTheWrongTypeIsAbsent) {
    Collected got;
    for_each_sample_in(
        "{\"ev\":\"sample\",\"ns\":1,\"rss\":2,\"procs\":[[1,2],[\"x\",3],[4]],"
        "\"mem\":{\"total\":\"big\",\"free\":7},\"psi\":5,\"cg\":{\"usage\":1.5,\"limit\":9}}\n",
        got.handlers());
    ASSERT_EQ(got.samples.size(), 1U);
    const Sample& sample = got.samples[0];
    EXPECT_EQ(sample.procs, (std::vector<ProcessMemory>{{1, 2, 0, std::nullopt}}));
    EXPECT_FALSE(sample.mem.total);
    EXPECT_EQ(sample.mem.free, 7U);
    EXPECT_FALSE(sample.psi);
    ASSERT_TRUE(sample.cg);
    EXPECT_FALSE(sample.cg->usage);
    EXPECT_EQ(sample.cg->limit, MemoryLimit{9});
}

TEST(TrailReader, AFigureBeyond2To62IsAbsent) {
    // No machine has 4 EiB: such a figure is a crafted or corrupt trail, and sums of a few of
    // them would overflow the signed sizes the post-mortem computes with.
    Collected got;
    for_each_sample_in(
        "{\"ev\":\"sample\",\"ns\":1,\"rss\":18446744073709551615}\n"
        "{\"ev\":\"sample\",\"ns\":2,\"rss\":4611686018427387904,\"procs\":[[1,"
        "4611686018427387905],[2,4611686018427387904]],\"mem\":{\"total\":9223372036854775808},"
        "\"cg\":{\"usage\":4611686018427387905,\"limit\":18446744073709551615}}\n",
        got.handlers());
    ASSERT_EQ(got.samples.size(), 1U);  // the first one's rss is its essential figure
    const Sample& sample = got.samples[0];
    EXPECT_EQ(sample.rss, std::uint64_t{1} << 62);
    EXPECT_EQ(sample.procs,
              (std::vector<ProcessMemory>{{2, std::uint64_t{1} << 62, 0, std::nullopt}}));
    EXPECT_FALSE(sample.mem.total);
    ASSERT_TRUE(sample.cg);
    EXPECT_FALSE(sample.cg->usage);
    EXPECT_FALSE(sample.cg->limit);
}

TEST(TrailReader, AMissingFileIsUnreadable) {
    Collected got;
    TrailSummary summary = for_each_sample("/nonexistent/samples.jsonl", got.handlers());
    EXPECT_FALSE(summary.readable);
    EXPECT_EQ(summary.records, 0U);
}

TEST(TrailWriter, AppendsLinesToTheFile) {
    test_support::TempDir dir;
    auto path = dir.path() / "samples.jsonl";
    {
        TrailWriter writer(path);
        EXPECT_TRUE(writer.append(encode_line(full_sample())));
    }
    TrailWriter again(path);
    EXPECT_TRUE(again.append(encode_line(full_sample())));
    Collected got;
    TrailSummary summary = for_each_sample(path, got.handlers());
    EXPECT_EQ(got.samples.size(), 2U);
    EXPECT_FALSE(summary.torn_tail);
}

TEST(TrailWriter, AnUnwritableFileFailsQuietly) {
    TrailWriter missing_dir("/nonexistent/dir/samples.jsonl");
    EXPECT_FALSE(missing_dir.append("{}\n"));
    EXPECT_EQ(missing_dir.failure(), ENOENT);
    ASSERT_TRUE(missing_dir.loss());
    EXPECT_EQ(missing_dir.loss()->amount, 1U);
}

TEST(TrailWriter, NeverWritesThroughALinkOrIntoADevice) {
    test_support::TempDir dir;
    std::ofstream(dir.path() / "target") << "precious";
    std::filesystem::create_symlink(dir.path() / "target", dir.path() / "samples.jsonl");
    TrailWriter linked(dir.path() / "samples.jsonl");
    EXPECT_FALSE(linked.append("{}\n"));
    EXPECT_EQ(linked.failure(), ELOOP);
    TrailWriter device("/dev/full");
    EXPECT_EQ(device.failure(), EINVAL);  // not a regular file
    std::ifstream in(dir.path() / "target");
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "precious");
}

TEST(TrailWriter, AFullDiskLosesLinesNotTheRunAndTheTrailSaysSoWhenItCanAgain) {
    test_support::TempDir dir;
    auto path = dir.path() / "samples.jsonl";
    TrailWriter writer(path);
    auto line = encode_line(full_sample());
    ASSERT_TRUE(writer.append(line));
    {
        // Room for half a line: a short write tears it (and is taken back), the rest fails.
        testing::FileSizeLimit full(line.size() + line.size() / 2);
        EXPECT_FALSE(writer.append(line));
        EXPECT_FALSE(writer.append(line));
        EXPECT_FALSE(writer.append(line));
        EXPECT_EQ(writer.failure(), EFBIG);
    }
    EXPECT_TRUE(writer.append(line));
    ASSERT_TRUE(writer.loss());
    EXPECT_EQ(writer.loss()->amount, 3U);
    Collected got;
    TrailSummary summary = for_each_sample(path, got.handlers());
    EXPECT_EQ(summary.skipped, 0U) << (summary.warnings.empty() ? "" : summary.warnings[0]);
    EXPECT_FALSE(summary.torn_tail);
    EXPECT_EQ(got.samples.size(), 2U);
    // Each note says what was lost before it (a short note may fit where a sample did not).
    ASSERT_FALSE(got.notes.empty());
    std::size_t reported = 0;
    for (const auto& note : got.notes) {
        EXPECT_EQ(note.what, "lost");
        EXPECT_NE(note.text.find(" lines of the trail could not be written from ns "),
                  std::string::npos);
        reported += std::stoul(note.text);
    }
    EXPECT_EQ(reported, 3U);
}

TEST(TrailWriter, AnEmptyPathDiscardsWithoutFailing) {
    TrailWriter writer("");
    EXPECT_TRUE(writer.append("{}\n"));
    EXPECT_FALSE(writer.failure());
}

}  // namespace
}  // namespace blackbox::sample
