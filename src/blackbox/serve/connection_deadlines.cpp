#include <sys/socket.h>

#include <blackbox/serve/connection_deadlines.hpp>

namespace blackbox::serve {

ConnectionDeadlines::ConnectionDeadlines(Clock::duration head, Clock::duration request)
    : head_(head), request_(request) {}

void ConnectionDeadlines::opened(const void* connection, int fd, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    entries_[connection] = {fd, now + head_, false};
}

void ConnectionDeadlines::request_started(const void* connection, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (auto found = entries_.find(connection); found != entries_.end()) {
        found->second.deadline = now + request_;
    }
}

void ConnectionDeadlines::request_ended(const void* connection, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (auto found = entries_.find(connection); found != entries_.end()) {
        found->second.deadline = now + head_;
    }
}

void ConnectionDeadlines::closed(const void* connection) {
    std::lock_guard lock(mutex_);
    entries_.erase(connection);
}

std::size_t ConnectionDeadlines::shut_overdue(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    std::size_t shut = 0;
    for (auto& [connection, entry] : entries_) {
        if (!entry.shut && entry.deadline <= now) {
            // Under the lock: closed() cannot forget the entry (and its owner close the socket)
            // meanwhile.
            ::shutdown(entry.fd, SHUT_RDWR);
            entry.shut = true;
            ++shut;
        }
    }
    return shut;
}

std::size_t ConnectionDeadlines::open() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace blackbox::serve
