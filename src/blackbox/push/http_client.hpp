#pragma once

// The HTTP client of `blackbox push` (libcurl), one that trusts no server: every request ends by
// a deadline whatever the server does (connecting, sending nothing, a header line a second
// forever, an endless body), and an answer larger than a bound is refused as it arrives, never
// kept. One keep-alive connection for a series of requests. Never throws on a network failure:
// the outcome is a value.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace blackbox::push {

struct HttpAnswer {
    bool answered = false;  // false: no complete answer (error says why)
    long status = 0;
    std::string body;
    std::string error;
};

class HttpClient {
  public:
    using Clock = std::chrono::steady_clock;

    // The most an answer may hold: its head and its body, each.
    static constexpr std::size_t kMaxAnswerHead = 64 * 1024;
    static constexpr std::size_t kMaxAnswerBody = 1024 * 1024;
    // The longest wait for a connection.
    static constexpr std::chrono::milliseconds kConnectTimeout{5000};
    // The error of a request that had no complete answer by the deadline.
    static constexpr const char* kOutOfTime = "no answer before the push's time limit";

    // Requests end by `deadline` at the latest, as this client's steady clock reads it (then with
    // the error kOutOfTime), whatever the server does. Throws Error when libcurl cannot start.
    explicit HttpClient(Clock::time_point deadline);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // `method` ("POST", "PUT") `body` of `content_type` to `url`, with "Authorization: Bearer
    // TOKEN" when `token` is not empty.
    HttpAnswer send(const char* method, const std::string& url, std::string_view body,
                    const char* content_type, const std::string& token);
    // Whether the deadline has passed.
    bool expired() const { return Clock::now() >= deadline_; }
    Clock::time_point deadline() const { return deadline_; }

  private:
    struct Handle;
    std::unique_ptr<Handle> handle_;
    Clock::time_point deadline_;
};

}  // namespace blackbox::push
