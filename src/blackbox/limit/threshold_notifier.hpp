#pragma once

// The kernel tells us when a memory cgroup's usage reaches the dump threshold, faster than any
// polling could (a test allocating 16 MiB chunks climbs 300 MiB in well under 100 ms):
//  - cgroup v1: a usage threshold on memory.usage_in_bytes, registered through
//    cgroup.event_control with an eventfd; the kernel signals it when usage crosses the
//    threshold, either way.
//  - cgroup v2: memory.high set to the threshold; the kernel counts each time usage goes above it
//    ("high" in memory.events, which wakes poll()) and throttles the group there. The first event
//    lifts memory.high to "max" again, so a test that legitimately uses more than the threshold
//    is throttled only until we noticed (milliseconds); it is set again once usage has fallen
//    below 90% of the threshold. The throttling has a use of its own: it slows the allocating
//    process down while the dump is being asked for.
// The callback runs on the notifier's own thread.

#include <cstdint>
#include <memory>
#include <string_view>
#include <thread>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/limit/cgroup_fs.hpp>
#include <blackbox/limit/cgroup_places.hpp>
#include <blackbox/limit/threshold_crossing.hpp>

namespace blackbox::limit {

class ThresholdNotifier {
  public:
    // Arms the notification for `threshold` bytes on `group` and starts the thread. Throws
    // blackbox::Error when the kernel cannot notify (no cgroup.event_control, memory.high not
    // writable, no eventfd): the caller then watches its samples instead.
    ThresholdNotifier(std::shared_ptr<const CgroupFs> fs, const CgroupDir& group,
                      std::uint64_t threshold, ThresholdCallback callback);
    // Stops and joins the thread; v2: memory.high back to "max".
    ~ThresholdNotifier();
    ThresholdNotifier(const ThresholdNotifier&) = delete;
    ThresholdNotifier& operator=(const ThresholdNotifier&) = delete;

    // "cgroup v1 usage threshold" or "cgroup v2 memory.high".
    std::string_view how() const noexcept;

  private:
    template <typename Body>
    void start(Body body);
    void watch_v1() noexcept;
    void watch_v2() noexcept;
    // Reports a rise to `usage`; false when the callback threw (notifications stop).
    bool report(std::uint64_t usage) noexcept;

    std::shared_ptr<const CgroupFs> fs_;
    CgroupDir group_;
    CrossingDetector crossing_;
    ThresholdCallback callback_;
    base::UniqueFd stop_;   // eventfd: the destructor's signal to the thread
    base::UniqueFd event_;  // v1: the threshold's eventfd; v2: memory.events
    base::UniqueFd usage_;  // memory.usage_in_bytes (v1) or memory.current (v2)
    std::thread thread_;    // last: started once everything above is set
};

}  // namespace blackbox::limit
