#pragma once

// The bytes of request bodies the server holds at once, across all connections: each body's
// own bound (--max-body) keeps one request small, this keeps many of them together bounded, so
// that a crowd of uploads (or of attackers) cannot take the server's memory. Thread-safe.

#include <atomic>
#include <cstddef>

namespace blackbox::serve {

class BodyBudget {
  public:
    explicit BodyBudget(std::size_t bytes) : left_(bytes) {}

    // Takes `bytes` when that many are left; false (and nothing taken) otherwise.
    bool take(std::size_t bytes) noexcept;
    // Gives back what take() took.
    void give_back(std::size_t bytes) noexcept;
    std::size_t left() const noexcept { return left_.load(); }

  private:
    std::atomic<std::size_t> left_;
};

}  // namespace blackbox::serve
