// Choosing the mechanism of a memory limit (v2, v1, watchdog) on a fake machine, and what the
// choice gives the supervisor: the pre-exec write, the group, the reasons.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/limit/memory_limit.hpp>

#include "fake_cgroup_tree.hpp"

namespace blackbox::limit {
namespace {

using test_support::FakeCgroupTree;

constexpr std::uint64_t kLimit = 64 * 1024 * 1024;

LimitOptions limit_of(std::uint64_t bytes) {
    LimitOptions options;
    options.bytes = bytes;
    return options;
}

class MemoryLimitChoice : public ::testing::Test {
  protected:
    void SetUp() override {
        tree_->place_us("/ci/job", "/user.slice/app.slice");
        tree_->make_group(v1_parent_);
        tree_->make_group(v2_parent_);
    }

    std::string all_reasons(const MemoryLimit& limit) const {
        std::string text;
        for (const auto& reason : limit.reasons()) {
            text += reason + "\n";
        }
        return text;
    }

    std::shared_ptr<FakeCgroupTree> tree_ = std::make_shared<FakeCgroupTree>();
    std::string v1_parent_ = "/sys/fs/cgroup/memory/ci/job";
    std::string v2_parent_ = "/sys/fs/cgroup/unified/user.slice/app.slice";
};

TEST_F(MemoryLimitChoice, PrefersCgroupV2WhenTheMemoryControllerIsDelegated) {
    tree_->put(v2_parent_ + "/cgroup.controllers", "cpu memory pids\n");
    MemoryLimit limit(limit_of(kLimit), tree_, 4242);
    EXPECT_EQ(limit.kind(), LimitKind::cgroup_v2);
    ASSERT_TRUE(limit.group());
    EXPECT_EQ(limit.group()->directory.rfind(v2_parent_ + "/blackbox-4242-", 0), 0u);
    EXPECT_EQ(limit.bytes(), kLimit);
    EXPECT_EQ(limit.threshold_source(), "");  // no callback, no threshold
    EXPECT_EQ(limit.threshold_bytes(), 0u);
}

TEST_F(MemoryLimitChoice, FallsBackToCgroupV1AndSaysWhy) {
    MemoryLimit limit(limit_of(kLimit), tree_, 4242);
    EXPECT_EQ(limit.kind(), LimitKind::cgroup_v1);
    ASSERT_EQ(limit.reasons().size(), 2u);
    EXPECT_EQ(limit.reasons()[0], "cgroup v2: the memory controller is not delegated to " +
                                      v2_parent_ + " (its cgroup.controllers has no \"memory\")");
    EXPECT_EQ(limit.reasons()[1].rfind("cgroup v1: group " + v1_parent_ + "/blackbox-4242-", 0),
              0u);
    EXPECT_NE(limit.reasons()[1].find("limit 64 MiB, swap limited too"), std::string::npos);
    EXPECT_EQ(limit.describe(),
              "64 MiB, enforced by cgroup v1 (group " + limit.group()->directory + ")");
}

TEST_F(MemoryLimitChoice, TheChildJoinsTheGroupBeforeExec) {
    MemoryLimit limit(limit_of(kLimit), tree_, 4242);
    auto writes = limit.pre_exec_writes();
    ASSERT_EQ(writes.size(), 1u);
    EXPECT_EQ(writes[0].path, tree_->resolve(limit.group()->directory + "/cgroup.procs"));
    EXPECT_EQ(writes[0].bytes, "0\n");
    EXPECT_TRUE(writes[0].required);
}

TEST_F(MemoryLimitChoice, FallsBackToTheWatchdogWhenNoCgroupCanBeMade) {
    tree_->refuse_writes["memory.limit_in_bytes"] = EACCES;
    MemoryLimit limit(limit_of(kLimit), tree_, 4242);
    EXPECT_EQ(limit.kind(), LimitKind::watchdog);
    EXPECT_EQ(limit.group(), std::nullopt);
    EXPECT_TRUE(limit.pre_exec_writes().empty());
    EXPECT_EQ(limit.oom_kills(), std::nullopt);
    const std::string reasons = all_reasons(limit);
    EXPECT_NE(reasons.find("cgroup v1: cannot set memory.limit_in_bytes"), std::string::npos)
        << reasons;
    EXPECT_NE(reasons.find("Permission denied"), std::string::npos) << reasons;
    EXPECT_NE(reasons.find("watchdog: "), std::string::npos) << reasons;
    EXPECT_EQ(tree_->subdirectories(v1_parent_)->size(), 0u);
}

TEST_F(MemoryLimitChoice, FallsBackToTheWatchdogOutsideEveryCgroup) {
    tree_->put("/proc/self/cgroup", "");
    MemoryLimit limit(limit_of(kLimit), tree_, 4242);
    EXPECT_EQ(limit.kind(), LimitKind::watchdog);
    EXPECT_EQ(limit.reasons().size(), 3u);
}

TEST_F(MemoryLimitChoice, UsesTheWatchdogWhenAsked) {
    LimitOptions options = limit_of(kLimit);
    options.use_cgroups = false;
    MemoryLimit limit(options, tree_, 4242);
    EXPECT_EQ(limit.kind(), LimitKind::watchdog);
    EXPECT_EQ(limit.reasons().front(), "cgroups: not used, as asked");
    EXPECT_EQ(tree_->subdirectories(v1_parent_)->size(), 0u);
}

TEST_F(MemoryLimitChoice, ReleaseRemovesTheGroup) {
    MemoryLimit limit(limit_of(kLimit), tree_, 4242);
    const std::string dir = limit.group()->directory;
    EXPECT_EQ(limit.oom_kills(), 0u);
    auto removal = limit.release();
    EXPECT_TRUE(removal.removed);
    EXPECT_FALSE(tree_->exists(dir));
    EXPECT_EQ(limit.group(), std::nullopt);
    EXPECT_TRUE(limit.pre_exec_writes().empty());
    EXPECT_TRUE(limit.release().removed);  // idempotent
}

TEST_F(MemoryLimitChoice, RegistersTheV1ThresholdWithTheKernel) {
    LimitOptions options = limit_of(kLimit);
    options.on_threshold = [](const ThresholdCrossing&) {};
    MemoryLimit limit(options, tree_, 4242);
    EXPECT_EQ(limit.threshold_source(), "cgroup v1 usage threshold");
    // "<eventfd> <usage fd> <bytes>", as cgroup.event_control wants it.
    const std::string registration = tree_->get(limit.group()->directory + "/cgroup.event_control");
    EXPECT_EQ(limit.threshold_bytes(), 60397977u);  // 90%, rounded down
    EXPECT_NE(registration.find(" " + std::to_string(limit.threshold_bytes())), std::string::npos)
        << registration;
}

TEST_F(MemoryLimitChoice, SetsMemoryHighForTheV2Threshold) {
    tree_->put(v2_parent_ + "/cgroup.controllers", "memory\n");
    LimitOptions options = limit_of(kLimit);
    options.on_threshold = [](const ThresholdCrossing&) {};
    options.threshold_fraction = 0.5;
    std::string dir;
    {
        MemoryLimit limit(options, tree_, 4242);
        dir = limit.group()->directory;
        EXPECT_EQ(limit.threshold_source(), "cgroup v2 memory.high");
        EXPECT_EQ(tree_->get(dir + "/memory.high"), std::to_string(kLimit / 2));
    }
    EXPECT_FALSE(tree_->exists(dir));
}

TEST_F(MemoryLimitChoice, TakesTheThresholdFromSamplesWhenTheKernelCannotTell) {
    tree_->v1_files.erase("cgroup.event_control");
    int calls = 0;
    LimitOptions options = limit_of(kLimit);
    options.on_threshold = [&](const ThresholdCrossing& crossing) {
        ++calls;
        EXPECT_EQ(crossing.usage_bytes, kLimit);
    };
    MemoryLimit limit(options, tree_, 4242);
    EXPECT_EQ(limit.kind(), LimitKind::cgroup_v1);
    EXPECT_EQ(limit.threshold_source(), "samples");
    EXPECT_NE(limit.reasons().back().find("threshold: cannot open"), std::string::npos);
    limit.attach(999'999'999);  // a cgroup limit: the samples never kill
    limit.on_sample(1, kLimit);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(limit.watchdog_kill(), std::nullopt);
}

TEST_F(MemoryLimitChoice, RefusesALimitOfZeroBytes) {
    EXPECT_THROW(MemoryLimit(limit_of(0), tree_, 4242), Error);
}

}  // namespace
}  // namespace blackbox::limit
