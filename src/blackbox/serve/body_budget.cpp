#include <blackbox/serve/body_budget.hpp>

namespace blackbox::serve {

bool BodyBudget::take(std::size_t bytes) noexcept {
    std::size_t left = left_.load();
    do {
        if (left < bytes) {
            return false;
        }
    } while (!left_.compare_exchange_weak(left, left - bytes));
    return true;
}

void BodyBudget::give_back(std::size_t bytes) noexcept {
    left_.fetch_add(bytes);
}

}  // namespace blackbox::serve
