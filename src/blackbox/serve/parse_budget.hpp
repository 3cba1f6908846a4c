#pragma once

// The request bodies the routes read at once, in bytes. Reading a body builds its JSON tree,
// which may take ten to twenty times the body (a body of 4 million zeros took 186 MiB for its 8
// MiB): bounding how many bytes are read at once bounds that memory, however many requests
// arrive together. A request whose body does not fit waits for others to finish (they are quick);
// one larger than the whole budget waits until it has the budget to itself. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <utility>

namespace blackbox::serve {

class ParseBudget {
  public:
    explicit ParseBudget(std::size_t bytes) : capacity_(bytes), left_(bytes) {}

    // A share of the budget, given back when it ends.
    class Share {
      public:
        Share() = default;
        Share(ParseBudget* budget, std::size_t bytes) : budget_(budget), bytes_(bytes) {}
        Share(Share&& other) noexcept
            : budget_(std::exchange(other.budget_, nullptr)), bytes_(other.bytes_) {}
        Share& operator=(Share&&) = delete;
        Share(const Share&) = delete;
        ~Share() {
            if (budget_ != nullptr) {
                budget_->give_back(bytes_);
            }
        }
        explicit operator bool() const { return budget_ != nullptr; }

      private:
        ParseBudget* budget_ = nullptr;
        std::size_t bytes_ = 0;
    };

    // Takes `bytes` (at most the whole budget), waiting up to `patience` for them; an empty
    // Share when they did not come in time.
    Share take(std::size_t bytes, std::chrono::milliseconds patience);

  private:
    void give_back(std::size_t bytes);

    std::size_t capacity_;
    std::size_t left_;
    std::mutex mutex_;
    std::condition_variable freed_;
};

}  // namespace blackbox::serve
