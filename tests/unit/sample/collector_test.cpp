#include <algorithm>

#include <gtest/gtest.h>

#include <blackbox/sample/collector.hpp>

#include "sample_support.hpp"

namespace blackbox::sample {
namespace {

using test_support::kRecordedRoot;
using test_support::recorded;

Collector collector_for(const std::string& scenario) {
    CollectorOptions options;
    options.fs = ProcFs(recorded(scenario));
    options.root = kRecordedRoot;
    options.page_size = 4096;
    return Collector(std::move(options));
}

bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(Collector, OnTheDevelopmentVmNothingIsHidden) {
    Collector collector = collector_for("hybrid-v1");
    SamplerHeader header = collector.header(1, 0.05, 2);
    EXPECT_TRUE(header.hidden.empty());
    EXPECT_EQ(header.tree, "children");
    EXPECT_EQ(header.root, kRecordedRoot);
    EXPECT_EQ(header.page_size, 4096U);
    ASSERT_TRUE(header.cgroup);
    EXPECT_EQ(header.cgroup->version, 1);
    EXPECT_EQ(header.cgroup->limit, MemoryLimit{});

    Sample sample = collector.collect(42);
    EXPECT_EQ(sample.ns, 42);
    EXPECT_EQ(sample.procs.size(), 5U);
    EXPECT_GT(sample.rss, 48U << 20);
    EXPECT_TRUE(sample.mem.total && sample.mem.available);
    EXPECT_EQ(sample.swap, 0U);  // no swap in use: no status reads, and nothing swapped
    ASSERT_TRUE(sample.psi);
    ASSERT_TRUE(sample.cg);
    EXPECT_GT(sample.cg->usage.value_or(0), 0U);
    EXPECT_EQ(sample.cg->oom_kill, 0U);
}

TEST(Collector, ReadsPssOfATreeOfSeveralProcessesAtItsOwnLowerRate) {
    Collector collector = collector_for("hybrid-v1");
    SamplerHeader header = collector.header(1, 0.05, 2);
    EXPECT_EQ(header.pss_interval_s, 0.25);
    EXPECT_EQ(header.pss_max_share, 0.004);
    constexpr std::int64_t kMs = 1'000'000;
    Sample first = collector.collect(1000 * kMs);
    ASSERT_TRUE(first.pss);  // five processes: their shared pages would count twice in rss
    EXPECT_EQ(*first.pss, (59307U + 142 + 251 + 142 + 170) * 1024);
    EXPECT_EQ(first.procs[2].pss, 251U * 1024);
    for (std::int64_t ms : {1050, 1100, 1200}) {
        Sample next = collector.collect(ms * kMs);
        EXPECT_FALSE(next.pss) << ms;
        EXPECT_FALSE(next.procs[0].pss) << ms;
    }
    EXPECT_TRUE(collector.collect(1250 * kMs).pss);
    EXPECT_EQ(collector.pss_cost().reads, 2U);
}

TEST(Collector, ATreeThatGainsAProcessIsReadAtOnceWithinItsBudget) {
    test_support::TempDir dir;
    test_support::FakeProc proc;
    auto rollup = [&](pid_t pid, int kb) {
        test_support::write_file(
            dir.path(), "/proc/" + std::to_string(pid) + "/smaps_rollup",
            "Rss: " + std::to_string(kb) + " kB\nPss: " + std::to_string(kb / 2) + " kB\n");
    };
    proc.add(10, 1, 100, {{10, {11}}});
    proc.add(11, 10, 50);
    proc.write(dir.path());
    rollup(10, 400);
    rollup(11, 200);
    CollectorOptions options;
    options.fs = ProcFs(dir.path());
    options.root = 10;
    Collector collector(std::move(options));
    constexpr std::int64_t kMs = 1'000'000;
    EXPECT_TRUE(collector.collect(1000 * kMs).pss);
    EXPECT_FALSE(collector.collect(1050 * kMs).pss);  // nothing new: the interval holds

    // A child that lives less than the interval: read when it is first seen.
    proc.add(10, 1, 100, {{10, {11, 12}}});
    proc.add(12, 10, 5000);
    proc.write(dir.path());
    rollup(12, 20000);
    Sample grown = collector.collect(1100 * kMs);
    ASSERT_TRUE(grown.pss);
    EXPECT_EQ(*grown.pss, (200U + 100 + 10000) * 1024);
    EXPECT_FALSE(collector.collect(1150 * kMs).pss);

    // It leaves, another comes: a gain again.
    proc = test_support::FakeProc();
    proc.add(10, 1, 100, {{10, {11}}});
    proc.add(11, 10, 50);
    proc.write(dir.path());
    EXPECT_FALSE(collector.collect(1200 * kMs).pss);
    proc.add(10, 1, 100, {{10, {11, 13}}});
    proc.add(13, 10, 50);
    proc.write(dir.path());
    rollup(13, 200);
    EXPECT_TRUE(collector.collect(1210 * kMs).pss);
    EXPECT_EQ(collector.pss_cost().reads, 3U);
}

TEST(Collector, ReadsOnGainDrawOnABudgetThatRunsOut) {
    test_support::TempDir dir;
    test_support::FakeProc proc;
    proc.add(10, 1, 100, {{10, {11}}});
    proc.add(11, 10, 50);
    proc.write(dir.path());
    test_support::write_file(dir.path(), "/proc/10/smaps_rollup", "Pss: 100 kB\n");
    test_support::write_file(dir.path(), "/proc/11/smaps_rollup", "Pss: 100 kB\n");
    CollectorOptions options;
    options.fs = ProcFs(dir.path());
    options.root = 10;
    options.pss_max_share = 1e-9;  // the budget never grows back within the test
    options.pss_burst = 2;
    Collector collector(std::move(options));
    ASSERT_TRUE(collector.collect(1).pss);
    // A process comes and goes at every sample: after the burst, no more reads.
    std::size_t reads = 1;
    for (int i = 0; i < 10; ++i) {
        proc.add(10, 1, 100,
                 {{10, i % 2 == 0 ? std::vector<pid_t>{11, 12} : std::vector<pid_t>{11}}});
        if (i % 2 == 0) {
            proc.add(12, 10, 50);
        }
        proc.write(dir.path());
        test_support::write_file(dir.path(), "/proc/12/smaps_rollup", "Pss: 100 kB\n");
        reads += collector.collect(2 + i).pss ? 1U : 0U;
    }
    EXPECT_LE(reads, 2U);
    EXPECT_EQ(collector.pss_cost().reads, reads);
}

TEST(Collector, AOneProcessTreeNeedsNoPss) {
    CollectorOptions options;
    options.fs = ProcFs(recorded("hybrid-v1"));
    options.root = 7400;  // a sleep without children
    options.page_size = 4096;
    Collector collector(std::move(options));
    Sample sample = collector.collect(1);
    ASSERT_EQ(sample.procs.size(), 1U);
    EXPECT_FALSE(sample.pss);
    EXPECT_EQ(collector.pss_cost().reads, 0U);
}

TEST(Collector, WithoutSmapsRollupPssIsHiddenAndNeverRead) {
    test_support::TempDir dir;
    test_support::FakeProc proc;
    proc.add(10, 1, 100, {{10, {11}}});
    proc.add(11, 10, 50);
    proc.write(dir.path());
    CollectorOptions options;
    options.fs = ProcFs(dir.path());
    options.root = 10;
    Collector collector(std::move(options));
    SamplerHeader header = collector.header(1, 0.05, 2);
    EXPECT_TRUE(has(header.hidden, kHiddenPss));
    EXPECT_FALSE(header.pss_interval_s);
    EXPECT_FALSE(collector.collect(1).pss);
    EXPECT_EQ(collector.pss_cost().reads, 0U);
}

TEST(Collector, TheV2CgroupCarriesTheLimitFromAbove) {
    Collector collector = collector_for("unified-v2");
    SamplerHeader header = collector.header(1, 0.05, 2);
    EXPECT_TRUE(header.hidden.empty());
    ASSERT_TRUE(header.cgroup);
    EXPECT_EQ(header.cgroup->version, 2);
    EXPECT_EQ(header.cgroup->limit, MemoryLimit{8589934592});
    EXPECT_EQ(collector.collect(1).cg->usage, 162865152U);
}

TEST(Sampler, HiddenProcOfOtherProcessesIsRecordedNotFatal) {
    Collector collector = collector_for("android");
    SamplerHeader header = collector.header(1, 0.05, 2);
    EXPECT_TRUE(has(header.hidden, kHiddenOtherProcesses));
    EXPECT_TRUE(has(header.hidden, kHiddenPressure));
    EXPECT_TRUE(has(header.hidden, kHiddenCgroup));
    EXPECT_FALSE(has(header.hidden, kHiddenMeminfo));
    EXPECT_EQ(header.tree, "scan");
    EXPECT_FALSE(header.cgroup);

    Sample sample = collector.collect(1);
    EXPECT_EQ(sample.procs.size(), 5U);
    EXPECT_FALSE(sample.psi);
    EXPECT_FALSE(sample.cg);
    EXPECT_EQ(sample.swap, 5U * 2048 * 1024);  // zram in use: VmSwap of every process
    EXPECT_EQ(collector.top(2).procs.size(), 5U);
}

TEST(Collector, AnEmptyMachineGivesAnEmptySampleNotAnError) {
    test_support::TempDir dir;
    CollectorOptions options;
    options.fs = ProcFs(dir.path());
    options.root = 10;
    Collector collector(std::move(options));
    SamplerHeader header = collector.header(1, 0.05, 2);
    EXPECT_TRUE(has(header.hidden, kHiddenMeminfo));
    Sample sample = collector.collect(1);
    EXPECT_TRUE(sample.procs.empty());
    EXPECT_FALSE(sample.mem.total);
    EXPECT_FALSE(sample.swap);
    EXPECT_TRUE(collector.top(1).procs.empty());
}

TEST(Collector, AGivenCgroupWinsOverTheRootsOwn) {
    test_support::TempDir dir;
    test_support::write_file(dir.path(), "/cg/limited/memory.current", "5\n");
    test_support::write_file(dir.path(), "/cg/limited/memory.max", "1048576\n");
    test_support::write_file(dir.path(), "/cg/limited/memory.events", "oom_kill 2\n");
    CollectorOptions options;
    options.fs = ProcFs(dir.path());
    options.root = 10;
    options.cgroup = CgroupLocation{2, "/limited", "/cg/limited"};
    Collector collector(std::move(options));
    EXPECT_EQ(collector.header(1, 0.05, 2).cgroup,
              (CgroupInfo{2, "/limited", MemoryLimit{1048576}}));
    EXPECT_EQ(collector.collect(1).cg, (CgroupMemory{5, MemoryLimit{1048576}, 2}));
}

TEST(Collector, TheRootOfAV2HierarchyHidesNothing) {
    test_support::TempDir dir;
    test_support::write_file(dir.path(), "/proc/10/cgroup", "0::/\n");
    test_support::write_file(dir.path(), "/proc/self/mountinfo",
                             "29 24 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    test_support::write_file(dir.path(), "/sys/fs/cgroup/cgroup.controllers", "memory\n");
    CollectorOptions options;
    options.fs = ProcFs(dir.path());
    options.root = 10;
    Collector collector(std::move(options));
    SamplerHeader header = collector.header(1, 0.05, 2);
    EXPECT_FALSE(has(header.hidden, kHiddenCgroup));
    EXPECT_FALSE(header.cgroup);
}

TEST(Collector, AV2CgroupWithoutTheMemoryControllerHidesNothing) {
    test_support::TempDir dir;
    test_support::write_file(dir.path(), "/proc/10/cgroup", "0::/job\n");
    test_support::write_file(dir.path(), "/proc/self/mountinfo",
                             "29 24 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    test_support::write_file(dir.path(), "/sys/fs/cgroup/job/cgroup.controllers", "cpu pids\n");
    CollectorOptions options;
    options.fs = ProcFs(dir.path());
    options.root = 10;
    Collector collector(std::move(options));
    EXPECT_FALSE(has(collector.header(1, 0.05, 2).hidden, kHiddenCgroup));
    // Where the controllers cannot be read either, the cgroup counts as hidden.
    std::filesystem::remove(dir.path() / "sys/fs/cgroup/job/cgroup.controllers");
    CollectorOptions again;
    again.fs = ProcFs(dir.path());
    again.root = 10;
    EXPECT_TRUE(has(Collector(std::move(again)).header(1, 0.05, 2).hidden, kHiddenCgroup));
}

}  // namespace
}  // namespace blackbox::sample
