#pragma once

// The memory trail's last seconds in bounded memory, whatever the trail holds: the newest
// samples exactly (the moments before a death), and the older ones of the window downsampled
// into time buckets that each keep their sample with the largest tree RSS (the peaks that
// matter). A real trail at the default 50 ms keeps every sample; a crafted or very dense one
// keeps at most a few hundred points instead of millions.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

class RecentMemory {
  public:
    // Keeps the points of the last `window_ns` (relative to the latest point added): the
    // `exact` newest as they are, the rest in `buckets` buckets of window_ns / buckets each.
    RecentMemory(std::int64_t window_ns, std::size_t buckets = 400, std::size_t exact = 32);

    void add(const MemoryPoint& point);

    bool empty() const { return exact_.empty(); }
    // The oldest point kept and the latest added. Only when not empty.
    const MemoryPoint& oldest() const;
    const MemoryPoint& newest() const { return exact_.back(); }

    // Every point kept, oldest first.
    std::vector<MemoryPoint> points() const;

  private:
    struct Bucket {
        std::int64_t index;
        MemoryPoint peak;
    };

    std::int64_t window_ns_, width_ns_;
    std::size_t max_buckets_, max_exact_;
    std::deque<Bucket> buckets_;
    std::deque<MemoryPoint> exact_;
};

}  // namespace blackbox::postmortem
