#pragma once

// How long a connection may take over each part of a request, whatever it sends meanwhile: a
// client that trickles a header line every few seconds is never idle, so an idle timeout alone
// keeps it forever. Each open connection has one deadline: its request's head must be whole
// within `head` of the connection opening or of the previous answer (keep-alive), and the
// request's body and answer within `request` of its head. A watcher calls shut_overdue()
// periodically; it shuts the sockets of overdue connections down, which the HTTP library then
// sees as a client gone and closes. Independent of the HTTP library (connections are keys,
// sockets are file descriptors); thread-safe.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <unordered_map>

namespace blackbox::serve {

class ConnectionDeadlines {
  public:
    using Clock = std::chrono::steady_clock;

    ConnectionDeadlines(Clock::duration head, Clock::duration request);

    // A connection opened on socket `fd`: its head's deadline starts.
    void opened(const void* connection, int fd, Clock::time_point now = Clock::now());
    // Its request's head was read: the body and answer's deadline starts.
    void request_started(const void* connection, Clock::time_point now = Clock::now());
    // Its answer was sent: the next head's deadline starts.
    void request_ended(const void* connection, Clock::time_point now = Clock::now());
    // It is closed: forgotten, before its socket is closed (so no other connection's socket that
    // reuses the number can be shut down).
    void closed(const void* connection);

    // Shuts down (both ways) the socket of every connection past its deadline, each once;
    // returns how many.
    std::size_t shut_overdue(Clock::time_point now = Clock::now());
    std::size_t open() const;

  private:
    struct Entry {
        int fd;
        Clock::time_point deadline;
        bool shut = false;
    };
    Clock::duration head_, request_;
    mutable std::mutex mutex_;
    std::unordered_map<const void*, Entry> entries_;
};

}  // namespace blackbox::serve
