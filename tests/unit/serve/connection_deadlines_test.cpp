// Connections past their deadline have their socket shut down (the peer reads the end), each
// once; a request's head starts the body's longer deadline, its answer the next head's; a
// closed connection is forgotten.

#include <sys/socket.h>

#include <gtest/gtest.h>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/serve/connection_deadlines.hpp>

namespace blackbox::serve {
namespace {

using namespace std::chrono_literals;
using base::UniqueFd;

struct SocketPair {
    SocketPair() {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
            throw std::runtime_error("socketpair");
        }
        ours = UniqueFd(fds[0]);
        peer = UniqueFd(fds[1]);
    }
    // Whether the peer reads the end of the stream (without waiting).
    bool peer_sees_end() const {
        char byte;
        return ::recv(peer.get(), &byte, 1, MSG_DONTWAIT) == 0;
    }
    UniqueFd ours, peer;
};

TEST(ConnectionDeadlines, ShutsASlowHeadDownOnceAtItsDeadline) {
    ConnectionDeadlines deadlines(10s, 60s);
    SocketPair slow;
    const int key = 0;
    const auto t0 = ConnectionDeadlines::Clock::time_point{};
    deadlines.opened(&key, slow.ours.get(), t0);
    EXPECT_EQ(deadlines.shut_overdue(t0 + 9s), 0u);
    EXPECT_FALSE(slow.peer_sees_end());
    EXPECT_EQ(deadlines.shut_overdue(t0 + 10s), 1u);
    EXPECT_TRUE(slow.peer_sees_end());
    EXPECT_EQ(deadlines.shut_overdue(t0 + 20s), 0u);  // once
}

TEST(ConnectionDeadlines, ARequestHasItsBodysTimeThenTheNextHeadItsOwn) {
    ConnectionDeadlines deadlines(10s, 60s);
    SocketPair connection;
    const int key = 0;
    const auto t0 = ConnectionDeadlines::Clock::time_point{};
    deadlines.opened(&key, connection.ours.get(), t0);
    deadlines.request_started(&key, t0 + 1s);
    EXPECT_EQ(deadlines.shut_overdue(t0 + 60s), 0u);
    deadlines.request_ended(&key, t0 + 30s);
    EXPECT_EQ(deadlines.shut_overdue(t0 + 39s), 0u);
    EXPECT_EQ(deadlines.shut_overdue(t0 + 40s), 1u);
}

TEST(ConnectionDeadlines, AClosedConnectionIsForgotten) {
    ConnectionDeadlines deadlines(10s, 60s);
    SocketPair connection;
    const int key = 0;
    const auto t0 = ConnectionDeadlines::Clock::time_point{};
    deadlines.opened(&key, connection.ours.get(), t0);
    EXPECT_EQ(deadlines.open(), 1u);
    deadlines.closed(&key);
    EXPECT_EQ(deadlines.open(), 0u);
    EXPECT_EQ(deadlines.shut_overdue(t0 + 1h), 0u);
    EXPECT_FALSE(connection.peer_sees_end());
}

}  // namespace
}  // namespace blackbox::serve
