#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/sample/machine_top.hpp>

#include "sample_support.hpp"

namespace blackbox::sample {
namespace {

using test_support::FakeProc;

TEST(MachineTop, TheLargestFirstWithTheirNames) {
    test_support::TempDir dir;
    FakeProc proc;
    proc.add(1, 0, 300, {}, "init");
    proc.add(2, 0, 0, {}, "kthreadd");
    proc.add(30, 1, 900, {}, "Web Content");
    proc.add(40, 1, 100, {}, "a) b");
    proc.add(50, 1, 900, {}, "python3");
    proc.write(dir.path());
    std::string buffer;
    MachineTop top = machine_top(ProcFs(dir.path()), 4096, 3, buffer);
    EXPECT_EQ(top.seen, 5U);
    EXPECT_EQ(top.procs, (std::vector<TopProcess>{{30, 900 * 4096, "Web Content"},
                                                  {50, 900 * 4096, "python3"},
                                                  {1, 300 * 4096, "init"}}));
}

TEST(MachineTop, KernelThreadsNeverMakeTheList) {
    test_support::TempDir dir;
    FakeProc proc;
    proc.add(2, 0, 0, {}, "kthreadd");
    proc.add(40, 1, 1, {}, "a) b");
    proc.write(dir.path());
    std::string buffer;
    MachineTop top = machine_top(ProcFs(dir.path()), 4096, 10, buffer);
    EXPECT_EQ(top.procs, (std::vector<TopProcess>{{40, 4096, "a) b"}}));
}

TEST(MachineTop, OnAndroidOnlyOurOwnProcessesAreSeen) {
    std::string buffer;
    MachineTop top = machine_top(ProcFs(test_support::recorded("android")), 4096, 10, buffer);
    EXPECT_EQ(top.seen, 5U);
    ASSERT_EQ(top.procs.size(), 5U);
    EXPECT_EQ(top.procs[0].pid, test_support::kRecordedRoot);
    EXPECT_EQ(top.procs[0].name, "python3");
}

TEST(MachineTop, FindsOurselvesOnTheRealMachine) {
    std::string buffer;
    MachineTop top =
        machine_top(ProcFs(), static_cast<std::uint64_t>(::getpagesize()), 1000, buffer);
    EXPECT_GT(top.seen, 1U);
    bool found = false;
    for (const TopProcess& process : top.procs) {
        found = found || process.pid == ::getpid();
    }
    EXPECT_TRUE(found);
}

}  // namespace
}  // namespace blackbox::sample
