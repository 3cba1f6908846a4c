#include <gtest/gtest.h>

#include <blackbox/sample/children.hpp>
#include <blackbox/sample/meminfo.hpp>
#include <blackbox/sample/pressure.hpp>
#include <blackbox/sample/proc_fs.hpp>
#include <blackbox/sample/proc_smaps_rollup.hpp>
#include <blackbox/sample/proc_stat.hpp>
#include <blackbox/sample/proc_statm.hpp>
#include <blackbox/sample/proc_status.hpp>

#include "sample_support.hpp"

namespace blackbox::sample {
namespace {

using test_support::kRecordedRoot;
using test_support::recorded;

std::string recorded_file(const std::string& scenario, const std::string& path) {
    std::optional<std::string> content = ProcFs(recorded(scenario)).read(path);
    EXPECT_TRUE(content) << scenario << path;
    return content.value_or("");
}

TEST(Statm, ResidentPagesTimesThePageSize) {
    EXPECT_EQ(parse_statm_rss("34928 15799 1672 1 0 16434 0\n", 4096), 15799ULL * 4096);
    EXPECT_EQ(parse_statm_rss("34928 15799 1672 1 0 16434 0\n", 65536), 15799ULL * 65536);
}

TEST(Statm, AZombieHoldsNoMemory) {
    EXPECT_EQ(parse_statm_rss("0 0 0 0 0 0 0\n", 4096), 0U);
}

TEST(Statm, MalformedIsNothing) {
    EXPECT_FALSE(parse_statm_rss("", 4096));
    EXPECT_FALSE(parse_statm_rss("123", 4096));
    EXPECT_FALSE(parse_statm_rss("x 12 3", 4096));
}

TEST(Statm, ReadsTheRecordedPythonWithItsBuffer) {
    auto rss = parse_statm_rss(
        recorded_file("hybrid-v1", "/proc/" + std::to_string(kRecordedRoot) + "/statm"), 4096);
    ASSERT_TRUE(rss);
    EXPECT_GT(*rss, 48U << 20);  // the 48 MiB bytearray
}

TEST(ProcStat, ReadsTheRecordedFields) {
    auto stat = parse_proc_stat(
        recorded_file("hybrid-v1", "/proc/" + std::to_string(kRecordedRoot) + "/stat"));
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->pid, kRecordedRoot);
    EXPECT_EQ(stat->comm, "python3");
    EXPECT_EQ(stat->state, 'S');
    EXPECT_GT(stat->ppid, 1);
    EXPECT_GT(stat->starttime, 0U);
    EXPECT_EQ(stat->rss_pages, 15782U);  // as statm: recorded a moment before it
}

TEST(ProcStat, ANameWithParenthesesAndBlanksEndsAtTheLastParenthesis) {
    auto stat = parse_proc_stat(
        "42 (a) b (c)) R 7 40 41 0 -1 4194308 0 0 0 0 11 22 0 0 20 0 1 0 333 100 55 1844 0 0\n");
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->comm, "a) b (c)");
    EXPECT_EQ(stat->state, 'R');
    EXPECT_EQ(stat->ppid, 7);
    EXPECT_EQ(stat->pgrp, 40);
    EXPECT_EQ(stat->session, 41);
    EXPECT_EQ(stat->flags, 4194308U);
    EXPECT_EQ(stat->utime, 11U);
    EXPECT_EQ(stat->stime, 22U);
    EXPECT_EQ(stat->starttime, 333U);
    EXPECT_EQ(stat->rss_pages, 55U);
}

TEST(ProcStat, ATruncatedLineIsNothing) {
    EXPECT_FALSE(parse_proc_stat("42 (sh) S 7 42 42 0 -1 0 0 0"));
    EXPECT_FALSE(parse_proc_stat("42 sh S 7"));
    EXPECT_FALSE(parse_proc_stat(""));
}

TEST(ProcStatus, ReadsNameParentAndMemory) {
    auto status = parse_proc_status(
        recorded_file("hybrid-v1", "/proc/" + std::to_string(kRecordedRoot) + "/status"));
    EXPECT_EQ(status.name, "python3");
    EXPECT_GT(status.ppid.value_or(0), 1);
    EXPECT_EQ(status.vm_rss, 15799ULL * 4096);
    EXPECT_EQ(status.vm_swap, 0U);
    EXPECT_GE(status.vm_hwm.value_or(0), *status.vm_rss);
}

TEST(ProcStatus, AKernelThreadHasNoMemoryLines) {
    auto status = parse_proc_status("Name:\tkworker/0:1\nState:\tI (idle)\nPPid:\t2\n");
    EXPECT_EQ(status.name, "kworker/0:1");
    EXPECT_EQ(status.ppid, 2);
    EXPECT_FALSE(status.vm_rss);
    EXPECT_FALSE(status.vm_swap);
}

TEST(ProcStatus, ReadsSwapInUse) {
    auto status = parse_proc_status(
        recorded_file("android", "/proc/" + std::to_string(kRecordedRoot) + "/status"));
    EXPECT_EQ(status.vm_swap, 2048U * 1024);
}

TEST(SmapsRollup, ReadsPssAndNotTheLinesThatStartLikeIt) {
    EXPECT_EQ(parse_smaps_rollup_pss("00400000-7fff ---p 00000000 00:00 0   [rollup]\n"
                                     "Rss:    1640 kB\nPss_Anon:  112 kB\nPss:     204 kB\n"),
              204U * 1024);
    EXPECT_EQ(parse_smaps_rollup_pss(
                  *ProcFs(test_support::recorded("hybrid-v1")).read("/proc/7398/smaps_rollup")),
              59307U * 1024);
}

TEST(SmapsRollup, AZombiesEmptyFileOrAMalformedLineIsNothing) {
    EXPECT_FALSE(parse_smaps_rollup_pss(""));
    EXPECT_FALSE(parse_smaps_rollup_pss("Rss: 10 kB\nPss_Anon: 5 kB\n"));
    EXPECT_FALSE(parse_smaps_rollup_pss("Pss: many kB\n"));
}

TEST(Meminfo, ReadsTheRecordedFieldsInBytes) {
    MemInfo info = parse_meminfo(recorded_file("hybrid-v1", "/proc/meminfo"));
    ASSERT_TRUE(info.total);
    EXPECT_EQ(*info.total % 1024, 0U);
    EXPECT_GT(*info.total, 1ULL << 30);
    EXPECT_TRUE(info.free);
    EXPECT_TRUE(info.available);
    EXPECT_TRUE(info.cached);
    EXPECT_EQ(info.swap_total, 0U);
    EXPECT_EQ(info.swap_used(), 0U);
}

TEST(Meminfo, SwapInUseOnAndroid) {
    MemInfo info = parse_meminfo(recorded_file("android", "/proc/meminfo"));
    EXPECT_EQ(info.total, 7672836ULL * 1024);
    EXPECT_EQ(info.available, 2866620ULL * 1024);
    EXPECT_EQ(info.swap_used(), (4194300ULL - 2011396ULL) * 1024);
}

TEST(Meminfo, AnOldKernelWithoutMemAvailableLeavesItEmpty) {
    MemInfo info = parse_meminfo("MemTotal: 1000 kB\nMemFree: 10 kB\nCached: x kB\n");
    EXPECT_EQ(info.total, 1024000U);
    EXPECT_FALSE(info.available);
    EXPECT_FALSE(info.cached);
    EXPECT_FALSE(info.swap_used());
}

TEST(Pressure, ReadsAverageAndTotalOfBothLines) {
    auto psi = parse_pressure(
        "some avg10=1.50 avg60=0.20 avg300=0.00 total=123456\n"
        "full avg10=0.75 avg60=0.10 avg300=0.00 total=65432\n");
    ASSERT_TRUE(psi);
    EXPECT_EQ(psi->some10, 1.5);
    EXPECT_EQ(psi->full10, 0.75);
    EXPECT_EQ(psi->some_us, 123456U);
    EXPECT_EQ(psi->full_us, 65432U);
}

TEST(Pressure, ReadsTheRecordedFile) {
    auto psi = parse_pressure(recorded_file("hybrid-v1", "/proc/pressure/memory"));
    ASSERT_TRUE(psi);
    EXPECT_TRUE(psi->some10 && psi->full10 && psi->some_us && psi->full_us);
}

TEST(Pressure, WithoutAWellFormedLineThereIsNone) {
    EXPECT_FALSE(parse_pressure(""));
    EXPECT_FALSE(parse_pressure("some avg10=x total=1\n"));
    auto some_only = parse_pressure("some avg10=2.00 avg60=0.00 avg300=0.00 total=9\n");
    ASSERT_TRUE(some_only);
    EXPECT_FALSE(some_only->full10);
}

TEST(Children, ParsesTheTrailingBlankSeparatedList) {
    std::vector<pid_t> pids{1};
    parse_children("7403 7405 \n", pids);
    EXPECT_EQ(pids, (std::vector<pid_t>{1, 7403, 7405}));
    parse_children("", pids);
    parse_children("x 0 -4 9", pids);
    EXPECT_EQ(pids, (std::vector<pid_t>{1, 7403, 7405, 9}));
}

TEST(ProcFs, ReadsUnderItsRootAndReportsWhatIsMissing) {
    ProcFs fs(recorded("hybrid-v1"));
    EXPECT_TRUE(fs.exists("/proc/meminfo"));
    EXPECT_FALSE(fs.exists("/proc/4242"));
    EXPECT_FALSE(fs.read("/proc/4242/statm"));
    auto names = fs.list("/proc/" + std::to_string(kRecordedRoot) + "/task");
    ASSERT_TRUE(names);
    EXPECT_EQ(names->size(), 2U);
    EXPECT_FALSE(fs.list("/proc/4242/task"));
}

TEST(ProcFs, AKeptFdReadsTheWholeFileAgainEachTime) {
    ProcFs fs;
    base::UniqueFd fd = fs.open("/proc/self/statm");
    ASSERT_TRUE(fd);
    std::string first;
    std::string second;
    ASSERT_TRUE(ProcFs::read_from(fd.get(), first));
    ASSERT_TRUE(ProcFs::read_from(fd.get(), second));
    EXPECT_TRUE(parse_statm_rss(first, 4096));
    EXPECT_TRUE(parse_statm_rss(second, 4096));
}

TEST(ProcFs, ReadsFilesLongerThanOneChunk) {
    test_support::TempDir dir;
    std::string big(10000, 'x');
    test_support::write_file(dir.path(), "/proc/big", big);
    EXPECT_EQ(ProcFs(dir.path()).read("/proc/big"), big);
}

}  // namespace
}  // namespace blackbox::sample
