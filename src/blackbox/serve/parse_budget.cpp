#include <algorithm>

#include <blackbox/serve/parse_budget.hpp>

namespace blackbox::serve {

ParseBudget::Share ParseBudget::take(std::size_t bytes, std::chrono::milliseconds patience) {
    bytes = std::min(bytes, capacity_);
    std::unique_lock lock(mutex_);
    if (!freed_.wait_for(lock, patience, [&] { return left_ >= bytes; })) {
        return {};
    }
    left_ -= bytes;
    return {this, bytes};
}

void ParseBudget::give_back(std::size_t bytes) {
    {
        std::lock_guard lock(mutex_);
        left_ += bytes;
    }
    freed_.notify_all();
}

}  // namespace blackbox::serve
