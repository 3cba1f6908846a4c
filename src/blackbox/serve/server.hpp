#pragma once

// The HTTP server of `blackbox serve`: libmicrohttpd in front of the Router. A few threads each
// wait on many connections at once (epoll), so clients that are slow, or that send nothing,
// never keep others waiting. A request's head is answered before its body is read (the token of
// a write is checked first: a refused request costs no body byte); a body is bounded however it
// is sent (Content-Length or chunked, compressed or not: the bound applies to what it
// decompresses to) and so are all the bodies held at once; every part of a request has a time
// limit. Every path is answered through the router (unknown ones with 404 JSON), and pages under
// a Content-Security-Policy that allows only the server's own scripts.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include <blackbox/serve/router.hpp>

namespace blackbox::serve {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8050;                         // 0: any free port
    std::size_t max_body = 8 * 1024 * 1024;  // bytes, decompressed; a larger body gets 413
    // Threads that read requests and run the routes; each serves many connections.
    std::size_t threads = 32;
    // Connections open at once; more wait in the kernel's queue until one closes.
    std::size_t max_connections = 512;
    // The bodies held at once, together (0: 8 × max_body); past it a body gets 503.
    std::size_t body_budget = 0;
    // A request's head must arrive within this of the connection opening or the previous
    // answer; a connection silent this long is closed.
    std::chrono::seconds head_timeout{10};
    // A request's body and its answer must be through within this of its head.
    std::chrono::seconds body_timeout{60};
};

// Serves `router` until the process is asked to stop (SIGINT/SIGTERM). `ready` is called with
// the bound port once listening. Throws blackbox::Error when the address cannot be bound.
void serve_forever(const Router& router, const ServerOptions& options,
                   const std::function<void(int port)>& ready);

}  // namespace blackbox::serve
