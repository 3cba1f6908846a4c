#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <charconv>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <microhttpd.h>
#include <netdb.h>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/serve/body_budget.hpp>
#include <blackbox/serve/connection_deadlines.hpp>
#include <blackbox/serve/request_body.hpp>
#include <blackbox/serve/server.hpp>

namespace blackbox::serve {

namespace {

constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// A connection's memory for its request's head (the request line, a URL of up to a 4,096-byte
// node id percent-encoded, the headers) and the pieces of its body as they are read; a head
// larger than about half of it is answered 431 by the library.
constexpr std::size_t kConnectionMemory = 64 * 1024;

// How often overdue connections are looked for, and the stop flag.
constexpr auto kWatchInterval = std::chrono::milliseconds(100);

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
    stop_requested.store(true);  // lock-free: safe in a handler
}

// What the server's callbacks share.
struct Context {
    const Router& router;
    const ServerOptions& options;
    BodyBudget budget;
    ConnectionDeadlines deadlines;
};

// One request on its way through, from its head to its answer.
struct Exchange {
    Request request;
    std::optional<RequestBody> body;
    std::optional<Response> refusal;  // decided while the body was read: answered at its end
    std::size_t discarded = 0;        // body bytes read past the refusal
};

Response refusal_for(RequestBody::State state) {
    switch (state) {
        case RequestBody::State::too_large:
            return error_response(413,
                                  "the body is larger than the server's limit (--max-body), "
                                  "decompressed");
        case RequestBody::State::busy: {
            auto response = error_response(
                503, "the server holds as many request bodies as it may at once: try again");
            return response;
        }
        default:
            return error_response(400, "the body is not valid for its Content-Encoding");
    }
}

void delete_string(void* text) {
    delete static_cast<std::string*>(text);
}

// Queues `response` on `connection`; MHD_NO when the library refuses (the connection closes).
MHD_Result queue(MHD_Connection* connection, Response response) {
    auto* body = new std::string(std::move(response.body));
    MHD_Response* out = MHD_create_response_from_buffer_with_free_callback_cls(
        body->size(), body->data(), &delete_string, body);
    if (out == nullptr) {
        delete body;
        return MHD_NO;
    }
    if (response.status != 204) {
        MHD_add_response_header(out, "Content-Type", response.content_type.c_str());
    }
    MHD_add_response_header(out, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(out, "Cache-Control", "no-store");
    if (!response.content_security_policy.empty()) {
        MHD_add_response_header(out, "Content-Security-Policy",
                                response.content_security_policy.c_str());
    } else if (response.content_type.starts_with("text/html")) {
        MHD_add_response_header(out, "Content-Security-Policy", kPagePolicy);
    }
    if (!response.content_encoding.empty()) {
        MHD_add_response_header(out, "Content-Encoding", response.content_encoding.c_str());
    }
    MHD_add_response_header(out, "Vary", "Accept-Encoding");
    if (response.status == 503) {
        MHD_add_response_header(out, "Retry-After", "1");
    }
    const MHD_Result queued =
        MHD_queue_response(connection, static_cast<unsigned>(response.status), out);
    MHD_destroy_response(out);
    return queued;
}

const char* header(MHD_Connection* connection, const char* name) {
    return MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
}

MHD_Result add_param(void* params, MHD_ValueKind, const char* key, const char* value) {
    static_cast<std::multimap<std::string, std::string>*>(params)->emplace(
        key == nullptr ? "" : key, value == nullptr ? "" : value);
    return MHD_YES;
}

// Whether an Accept-Encoding header's list names gzip (or *) without "q=0".
bool accepts_gzip(std::string_view list) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        const auto semicolon = item.find(';');
        std::string_view name = item.substr(0, semicolon);
        while (!name.empty() && name.front() == ' ') {
            name.remove_prefix(1);
        }
        while (!name.empty() && name.back() == ' ') {
            name.remove_suffix(1);
        }
        std::string lower(name);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](char c) { return static_cast<char>(c | 0x20); });
        if (lower != "gzip" && lower != "x-gzip" && lower != "*") {
            continue;
        }
        const auto parameters =
            semicolon == std::string_view::npos ? std::string_view() : item.substr(semicolon + 1);
        const auto q = parameters.find("q=");
        if (q == std::string_view::npos) {
            return true;
        }
        // "q=0", "q=0.0", "q=0.000": refused; any other weight accepts.
        const auto weight = parameters.substr(q + 2);
        return weight.find_first_not_of("0. ") != std::string_view::npos &&
               weight.find_first_not_of("0. ") < weight.find_first_of(", ;");
    }
    return false;
}

// The request's head: answered now (a refusal), or an Exchange set up for its body.
MHD_Result begin(Context& context, MHD_Connection* connection, Exchange& exchange) {
    context.deadlines.request_started(connection);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &add_param,
                              &exchange.request.params);
    if (const char* authorization = header(connection, "Authorization")) {
        exchange.request.authorization = authorization;
    }
    if (const char* accepted = header(connection, "Accept-Encoding")) {
        exchange.request.accepts_gzip = accepts_gzip(accepted);
    }
    if (auto refused = context.router.before_body(exchange.request)) {
        return queue(connection, std::move(*refused));
    }
    std::optional<std::size_t> declared;
    if (const char* length = header(connection, "Content-Length")) {
        std::size_t value = 0;
        const char* end = length + std::strlen(length);
        if (std::from_chars(length, end, value).ec == std::errc{}) {
            declared = value;
        }
    }
    const char* content_encoding = header(connection, "Content-Encoding");
    auto encoding = RequestBody::encoding(content_encoding == nullptr ? "" : content_encoding);
    if (!encoding) {
        return queue(connection,
                     error_response(415,
                                    "Content-Encoding: the server reads gzip, deflate or "
                                    "none"));
    }
    // A compressed body's declared length says nothing of what it decompresses to.
    exchange.body.emplace(*encoding, context.options.max_body, context.budget,
                          *encoding == RequestBody::Encoding::identity ? declared : std::nullopt);
    if (exchange.body->state() != RequestBody::State::reading) {
        return queue(connection, refusal_for(exchange.body->state()));
    }
    return MHD_YES;
}

MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method,
                      const char*, const char* upload_data, std::size_t* upload_data_size,
                      void** request_slot) noexcept {
    auto& context = *static_cast<Context*>(cls);
    try {
        auto* exchange = static_cast<Exchange*>(*request_slot);
        if (exchange == nullptr) {
            exchange = new Exchange;
            *request_slot = exchange;  // deleted when the request completes
            exchange->request.method = method;
            exchange->request.path = url;
            return begin(context, connection, *exchange);
        }
        if (*upload_data_size > 0) {
            const std::string_view piece(upload_data, *upload_data_size);
            *upload_data_size = 0;
            if (exchange->refusal) {
                // The answer is known: the rest is read only to give it, and only so far.
                exchange->discarded += piece.size();
                return exchange->discarded <= context.options.max_body ? MHD_YES : MHD_NO;
            }
            if (!exchange->body->append(piece)) {
                exchange->refusal = refusal_for(exchange->body->state());
            }
            return MHD_YES;
        }
        // The whole request is in.
        if (!exchange->refusal && !exchange->body->finish()) {
            exchange->refusal = refusal_for(exchange->body->state());
        }
        if (exchange->refusal) {
            return queue(connection, std::move(*exchange->refusal));
        }
        exchange->request.body = exchange->body->take();
        Response response = context.router.handle(exchange->request);
        exchange->request.body = std::string();
        return queue(connection, std::move(response));
    } catch (const std::exception&) {
        return MHD_NO;  // out of memory: the connection closes
    }
}

void on_completed(void* cls, MHD_Connection* connection, void** request_slot,
                  MHD_RequestTerminationCode) noexcept {
    auto& context = *static_cast<Context*>(cls);
    delete static_cast<Exchange*>(*request_slot);
    *request_slot = nullptr;
    context.deadlines.request_ended(connection);
}

void on_connection(void* cls, MHD_Connection* connection, void**,
                   MHD_ConnectionNotificationCode code) noexcept {
    auto& context = *static_cast<Context*>(cls);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (info != nullptr) {
            try {
                context.deadlines.opened(connection, info->connect_fd);
            } catch (const std::exception&) {
                // Out of memory: this connection has only the library's idle timeout.
            }
        }
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        context.deadlines.closed(connection);
    }
}

// A listening socket on host:port (port 0: any free one), non-blocking as the library wants it.
base::UniqueFd listen_on(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (int failed = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); failed != 0) {
        throw Error(fmt::format("cannot listen on {}:{}: {}", host, port, ::gai_strerror(failed)),
                    2);
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
    int last_error = 0;
    for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
        base::UniqueFd fd(::socket(address->ai_family,
                                   address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                                   address->ai_protocol));
        if (!fd) {
            last_error = errno;
            continue;
        }
        int on = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (::bind(fd.get(), address->ai_addr, address->ai_addrlen) == 0 &&
            ::listen(fd.get(), SOMAXCONN) == 0) {
            return fd;
        }
        last_error = errno;
    }
    throw Error(fmt::format("cannot listen on {}:{}: {}", host, port, std::strerror(last_error)),
                2);
}

int bound_port(int fd) {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        return -1;
    }
    if (address.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    }
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

}  // namespace

void serve_forever(const Router& router, const ServerOptions& options,
                   const std::function<void(int port)>& ready) {
    Context context{
        router, options,
        BodyBudget(options.body_budget != 0 ? options.body_budget : 8 * options.max_body),
        ConnectionDeadlines(options.head_timeout, options.body_timeout)};
    base::UniqueFd listening = listen_on(options.host, options.port);
    const int port = bound_port(listening.get());

    // Each thread waits on its share of the connections with epoll; a connection's callbacks
    // all run on its thread.
    MHD_Daemon* daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, nullptr, nullptr, &on_request, &context,
        MHD_OPTION_LISTEN_SOCKET, static_cast<MHD_socket>(listening.get()),
        MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned>(options.threads),
        MHD_OPTION_CONNECTION_LIMIT,
        // The library shares the limit among its threads: each gets a few at least.
        static_cast<unsigned>(std::max(options.max_connections, 4 * options.threads)),
        MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned>(options.head_timeout.count()),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory, MHD_OPTION_NOTIFY_COMPLETED,
        &on_completed, &context, MHD_OPTION_NOTIFY_CONNECTION, &on_connection, &context,
        MHD_OPTION_END);
    if (daemon == nullptr) {
        throw Error(fmt::format("cannot start the HTTP server on {}:{}", options.host, port), 2);
    }
    listening.release();  // the daemon closes it when it stops

    stop_requested.store(false);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    ready(port);
    // The flag becomes a stop here (the library's stop is not signal-safe), and overdue
    // connections are cut meanwhile.
    while (!stop_requested.load()) {
        std::this_thread::sleep_for(kWatchInterval);
        context.deadlines.shut_overdue();
    }
    MHD_stop_daemon(daemon);
}

}  // namespace blackbox::serve
