#include <algorithm>
#include <limits>

#include <blackbox/postmortem/recent_memory.hpp>

namespace blackbox::postmortem {

RecentMemory::RecentMemory(std::int64_t window_ns, std::size_t buckets, std::size_t exact)
    : window_ns_(std::max<std::int64_t>(window_ns, 1)),
      width_ns_(std::max<std::int64_t>(
          window_ns_ / static_cast<std::int64_t>(std::max<std::size_t>(buckets, 1)), 1)),
      max_buckets_(std::max<std::size_t>(buckets, 1)),
      max_exact_(std::max<std::size_t>(exact, 1)) {}

void RecentMemory::add(const MemoryPoint& point) {
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    const std::int64_t floor = point.ns < kMin + window_ns_ ? kMin : point.ns - window_ns_;
    exact_.push_back(point);
    while (exact_.size() > max_exact_) {
        MemoryPoint older = exact_.front();
        exact_.pop_front();
        if (older.ns < floor) {
            continue;
        }
        std::int64_t index = older.ns / width_ns_;
        // A trail out of time order merges into the latest bucket: memory stays bounded.
        if (!buckets_.empty() && index <= buckets_.back().index) {
            auto& peak = buckets_.back().peak;
            if (older.tree_rss > peak.tree_rss) {
                peak = older;
            }
        } else {
            buckets_.push_back({index, older});
        }
    }
    while (!exact_.empty() && exact_.front().ns < floor && exact_.size() > 1) {
        exact_.pop_front();
    }
    while (!buckets_.empty() &&
           (buckets_.front().peak.ns < floor || buckets_.size() > 2 * max_buckets_ + 1)) {
        buckets_.pop_front();
    }
}

const MemoryPoint& RecentMemory::oldest() const {
    return buckets_.empty() ? exact_.front() : buckets_.front().peak;
}

std::vector<MemoryPoint> RecentMemory::points() const {
    std::vector<MemoryPoint> out;
    out.reserve(buckets_.size() + exact_.size());
    for (const auto& bucket : buckets_) {
        out.push_back(bucket.peak);
    }
    out.insert(out.end(), exact_.begin(), exact_.end());
    return out;
}

}  // namespace blackbox::postmortem
