#include <atomic>
#include <csignal>
#include <httplib.h>
#include <thread>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/serve/server.hpp>

namespace blackbox::serve {

namespace {

constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
    stop_requested.store(true);  // lock-free: safe in a handler
}

void answer(const Router& router, const httplib::Request& in, httplib::Response& out) {
    Request request;
    request.method = in.method;
    request.path = in.path;
    request.params = {in.params.begin(), in.params.end()};
    request.body = in.body;
    request.authorization = in.get_header_value("Authorization");
    Response response = router.handle(request);
    out.status = response.status;
    if (response.status != 204) {
        out.set_content(std::move(response.body), response.content_type.c_str());
    }
    out.set_header("X-Content-Type-Options", "nosniff");
    out.set_header("Cache-Control", "no-store");
    if (!response.content_security_policy.empty()) {
        out.set_header("Content-Security-Policy", response.content_security_policy);
    } else if (response.content_type.starts_with("text/html")) {
        out.set_header("Content-Security-Policy", kPagePolicy);
    }
}

}  // namespace

void serve_forever(const Router& router, const ServerOptions& options,
                   const std::function<void(int port)>& ready) {
    httplib::Server server;
    const std::size_t threads = options.threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_payload_max_length(options.max_body);
    // A response is written as headers then body: without this, Nagle's algorithm holds the
    // body until the client's delayed ACK, 40 ms per request.
    server.set_tcp_nodelay(true);
    server.set_read_timeout(10, 0);
    server.set_write_timeout(10, 0);
    auto handler = [&router](const httplib::Request& in, httplib::Response& out) {
        answer(router, in, out);
    };
    server.Get(".*", handler);
    server.Post(".*", handler);
    server.Put(".*", handler);
    server.Delete(".*", handler);
    server.Patch(".*", handler);
    // What httplib answers by itself (a body over the limit, a request it cannot read) also
    // gets a JSON message.
    server.set_error_handler([](const httplib::Request&, httplib::Response& out) {
        if (out.body.empty()) {
            std::string message = out.status == 413
                                      ? "the body is larger than the server's limit (--max-body)"
                                      : fmt::format("bad request ({})", out.status);
            out.set_content(base::json_text(nlohmann::json{{"error", message}}),
                            "application/json");
        }
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& out, std::exception_ptr) {
            out.status = 500;
            out.set_content(R"({"error": "internal error"})", "application/json");
        });

    int port = options.port;
    if (port == 0) {
        port = server.bind_to_any_port(options.host);
        if (port < 0) {
            throw Error(fmt::format("cannot listen on {}", options.host), 2);
        }
    } else if (!server.bind_to_port(options.host, port)) {
        throw Error(fmt::format("cannot listen on {}:{}", options.host, port), 2);
    }

    stop_requested.store(false);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    // The watcher turns the flag into a stop: httplib's stop() is not signal-safe.
    std::thread watcher([&server] {
        while (!stop_requested.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        server.stop();
    });
    ready(port);
    server.listen_after_bind();
    stop_requested.store(true);
    watcher.join();
}

}  // namespace blackbox::serve
