#include <filesystem>
#include <string>
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/journal/reader.hpp>
#include <blackbox/live/supervisor_log.hpp>

#include "../file_size_limit.hpp"
#include "../scratch_dir.hpp"

namespace blackbox::live {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> events_of(const fs::path& path) {
    std::vector<std::string> events;
    journal::for_each_record(
        path, [&](const journal::Record& record) { events.emplace_back(record.ev()); });
    return events;
}

// A real tmpfs of a few pages, unmounted (lazily) afterwards; mounting needs root.
class SmallDisk {
  public:
    SmallDisk() {
        if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, "size=64k") == 0) {
            mounted_ = true;
        }
    }
    ~SmallDisk() {
        if (mounted_) {
            ::umount2(dir_.path().c_str(), MNT_DETACH);
        }
    }
    bool mounted() const { return mounted_; }
    fs::path operator/(const std::string& name) const { return dir_ / name; }

    // Writes a file until the disk is full.
    void fill() {
        FILE* filler = std::fopen((dir_ / "filler").c_str(), "wb");
        ASSERT_NE(filler, nullptr);
        std::string page(4096, 'x');
        while (std::fwrite(page.data(), 1, page.size(), filler) == page.size() &&
               std::fflush(filler) == 0) {
        }
        std::fclose(filler);
    }

  private:
    testing::ScratchDir dir_{"small-disk"};
    bool mounted_ = false;
};

TEST(SupervisorLog, VerdictsFitOnADiskThatFilledAfterTheLogWasOpened) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "mounting a tmpfs needs root";
    }
    SmallDisk disk;
    if (!disk.mounted()) {
        GTEST_SKIP() << "cannot mount a tmpfs here";
    }
    SupervisorLog log(disk / "supervisor.jsonl");
    log.write("supervisor", {{"pid", 1}});
    disk.fill();
    // Past the page the first record started: only the room kept at opening holds these.
    for (int i = 0; i < 200; ++i) {
        log.write("hang", {{"pid", 1000 + i}, {"nodeid", "test_x.py::test_stuck"}});
    }
    EXPECT_FALSE(log.loss());
    auto events = events_of(disk / "supervisor.jsonl");
    ASSERT_EQ(events.size(), 201U);
    EXPECT_EQ(events.back(), "hang");
}

TEST(SupervisorLog, ARecordThatDoesNotFitIsHeldBackWholeAndWrittenWhenItFits) {
    testing::ScratchDir dir;
    auto path = dir / "supervisor.jsonl";
    SupervisorLog log(path);
    log.write("supervisor", {{"pid", 1}});
    auto size = fs::file_size(path);
    {
        testing::FileSizeLimit full(size + 10);  // room for part of a record, not a whole one
        log.write("hang", {{"pid", 2}});
        log.write("oom", {{"pid", 3}});
        ASSERT_TRUE(log.loss());
        EXPECT_EQ(log.loss()->amount, 2U);
        EXPECT_NE(log.loss()->error, 0);
        EXPECT_EQ(fs::file_size(path), size);  // no torn line
    }
    log.write("leftovers", {{"processes", nlohmann::json::array()}});
    EXPECT_FALSE(log.loss());
    EXPECT_EQ(events_of(path),
              (std::vector<std::string>{"supervisor", "hang", "oom", "leftovers"}));
}

TEST(SupervisorLog, WhatIsNeverWrittenIsTheLoss) {
    testing::ScratchDir dir;
    auto path = dir / "supervisor.jsonl";
    {
        testing::FileSizeLimit full(0);  // lifted only after the log is gone
        SupervisorLog log(path);
        log.write("hang", {{"pid", 2}});
        ASSERT_TRUE(log.loss());
        EXPECT_EQ(log.loss()->amount, 1U);
        EXPECT_GT(log.loss()->since_ns, 0);
    }
    EXPECT_TRUE(events_of(path).empty());
}

}  // namespace
}  // namespace blackbox::live
