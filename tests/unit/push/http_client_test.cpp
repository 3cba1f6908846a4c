#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/push/http_client.hpp>

namespace blackbox::push {
namespace {

using namespace std::chrono_literals;

// A loopback server that reads each request's head and then never finishes its answer: a
// status line, then a header line every 20 ms until it is stopped.
class EndlessHead {
  public:
    EndlessHead() {
        listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        EXPECT_EQ(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), size), 0);
        EXPECT_EQ(::listen(listener_.get(), 8), 0);
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &size);
        url_ = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
        thread_ = std::thread([this] { serve(); });
    }
    ~EndlessHead() {
        stop_ = true;
        thread_.join();
    }
    const std::string& url() const { return url_; }

  private:
    bool wait_readable(int fd) {
        pollfd watched{fd, POLLIN, 0};
        while (!stop_) {
            if (::poll(&watched, 1, 20) > 0) {
                return true;
            }
        }
        return false;
    }

    void serve() {
        while (wait_readable(listener_.get())) {
            base::UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
            std::string head;
            char buffer[4096];
            while (head.find("\r\n\r\n") == std::string::npos && wait_readable(connection.get())) {
                ssize_t n = ::read(connection.get(), buffer, sizeof buffer);
                if (n <= 0) {
                    break;
                }
                head.append(buffer, static_cast<std::size_t>(n));
            }
            std::string line = "HTTP/1.1 201 Created\r\n";
            while (!stop_ && ::send(connection.get(), line.data(), line.size(), MSG_NOSIGNAL) > 0) {
                line = "X-Slow: 1\r\n";
                std::this_thread::sleep_for(20ms);
            }
        }
    }

    base::UniqueFd listener_;
    std::string url_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// The time limit is the client's: a request cut by it says so, every time, rather than
// whatever libcurl's own timer (started later, rounded to its milliseconds) says when it fires
// first.
TEST(HttpClient, AnAnswerThatNeverEndsIsCutAtTheDeadlineAndSaysSo) {
    EndlessHead server;
    for (int i = 0; i < 5; ++i) {
        const auto deadline = HttpClient::Clock::now() + 150ms;
        HttpClient client(deadline);
        auto answer = client.send("POST", server.url(), "{}", "application/json", "");
        EXPECT_FALSE(answer.answered);
        EXPECT_EQ(answer.error, HttpClient::kOutOfTime);
        EXPECT_TRUE(client.expired());
        EXPECT_GE(HttpClient::Clock::now(), deadline);
    }
}

TEST(HttpClient, ARequestAfterTheDeadlineIsNotSent) {
    EndlessHead server;
    HttpClient client(HttpClient::Clock::now() - 1ms);
    auto answer = client.send("POST", server.url(), "{}", "application/json", "");
    EXPECT_FALSE(answer.answered);
    EXPECT_EQ(answer.error, HttpClient::kOutOfTime);
}

// A loopback port nobody listens on: bound, its number read, closed again.
int closed_port() {
    base::UniqueFd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    EXPECT_EQ(::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), size), 0);
    ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &size);
    return ntohs(address.sin_port);
}

// A server that is down: the whole reason, the system's included ("Couldn't connect to server"
// alone does not say whether the connection was refused or timed out), never a cut word.
TEST(HttpClient, AServerThatIsDownGivesTheWholeReason) {
    const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
    HttpClient client(HttpClient::Clock::now() + 5s);
    auto answer = client.send("POST", url, "{}", "application/json", "");
    EXPECT_FALSE(answer.answered);
    EXPECT_NE(answer.error.find("127.0.0.1"), std::string::npos) << answer.error;
    EXPECT_NE(answer.error.find("Connection refused"), std::string::npos) << answer.error;
}

}  // namespace
}  // namespace blackbox::push
