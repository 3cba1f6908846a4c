#pragma once

// The HTTP server of `blackbox serve`: cpp-httplib in front of the Router. It bounds request
// bodies, answers every path through the router (unknown ones with 404 JSON), and serves pages
// under a Content-Security-Policy that allows only its own scripts.

#include <cstddef>
#include <functional>
#include <string>

#include <blackbox/serve/router.hpp>

namespace blackbox::serve {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8050;                         // 0: any free port
    std::size_t max_body = 8 * 1024 * 1024;  // bytes; a larger body gets 413
    // Connections served at once. A worker keeps its keep-alive connection between that
    // connection's requests, so a client beyond this many waits for another's to close; uploads
    // waiting together are written in one transaction, so more of them at once also share the
    // database's work.
    std::size_t threads = 32;
};

// Serves `router` until the process is asked to stop (SIGINT/SIGTERM). `ready` is called with
// the bound port once listening. Throws blackbox::Error when the address cannot be bound.
void serve_forever(const Router& router, const ServerOptions& options,
                   const std::function<void(int port)>& ready);

}  // namespace blackbox::serve
