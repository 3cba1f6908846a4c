#include <algorithm>
#include <functional>

#include <blackbox/plan/memory_model.hpp>

namespace blackbox::plan {

namespace {

void insert_descending(std::vector<std::int64_t>& peaks, std::int64_t peak) {
    peaks.insert(std::upper_bound(peaks.begin(), peaks.end(), peak, std::greater<>()), peak);
}

// The sum of the `count` largest of `light` and of `extra` when `has_extra` (a peak not in it).
// (A flag and a value rather than an optional: GCC 12 warns of an uninitialized optional here.)
std::int64_t largest_sum(const std::vector<std::int64_t>& light, std::size_t count, bool has_extra,
                         std::int64_t extra) {
    std::int64_t sum = 0;
    std::size_t i = 0;
    bool extra_used = !has_extra;
    for (std::size_t taken = 0; taken < count; ++taken) {
        bool from_light = i < light.size() && (extra_used || light[i] >= extra);
        if (from_light) {
            sum += light[i++];
        } else if (!extra_used) {
            sum += extra;
            extra_used = true;
        } else {
            break;
        }
    }
    return sum;
}

}  // namespace

void ShardMemory::add(std::int64_t peak_bytes) {
    auto& peaks = is_heavy(peak_bytes) ? heavy_ : light_;
    // Of the heavy group only the largest counts.
    const std::size_t kept = &peaks == &heavy_ ? std::size_t{1} : model_.workers_max;
    if (peaks.size() >= kept && peak_bytes <= peaks.back()) {
        return;
    }
    insert_descending(peaks, peak_bytes);
    if (peaks.size() > kept) {
        peaks.pop_back();
    }
}

std::int64_t ShardMemory::peak_with(std::size_t workers) const {
    std::int64_t sum = workers >= 2 ? model_.controller_bytes : 0;
    std::size_t light_workers = workers;
    if (!heavy_.empty()) {
        sum += heavy_.front();  // the heavy group: one test at a time, on one worker
        light_workers -= 1;
    }
    return sum + largest_sum(light_, light_workers, false, 0);
}

std::int64_t ShardMemory::peak_with_added(std::size_t workers, std::int64_t peak_bytes) const {
    std::int64_t sum = workers >= 2 ? model_.controller_bytes : 0;
    if (is_heavy(peak_bytes) || !heavy_.empty()) {
        auto heaviest =
            heavy_.empty()
                ? peak_bytes
                : std::max(heavy_.front(), is_heavy(peak_bytes) ? peak_bytes : heavy_.front());
        sum += heaviest;
        return sum + largest_sum(light_, workers - 1, !is_heavy(peak_bytes), peak_bytes);
    }
    return sum + largest_sum(light_, workers, true, peak_bytes);
}

std::optional<std::size_t> workers_within(const ShardMemory& shard, std::int64_t budget,
                                          std::size_t workers_max) {
    for (std::size_t workers = std::max<std::size_t>(workers_max, 1); workers >= 1; --workers) {
        if (shard.peak_with(workers) <= budget) {
            return workers;
        }
    }
    return std::nullopt;
}

}  // namespace blackbox::plan
