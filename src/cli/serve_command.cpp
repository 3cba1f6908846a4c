// `blackbox serve [--listen ADDR:PORT] [--db PATH|URL] [--token TOKEN]`: the team's metrics
// server (docs/commands/serve.md): pytest-monitor's remote protocol, our ingest, a dashboard,
// over a SQLite file or a PostgreSQL database.

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/serve/router.hpp>
#include <blackbox/serve/server.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/database_url.hpp>
#include <blackbox/store/postgres_backend.hpp>
#include <blackbox/store/sqlite_backend.hpp>

#include "command_table.hpp"

namespace blackbox::cli {

namespace {

struct ServeOptions {
    std::string listen = "127.0.0.1:8050";
    std::string database;
    std::string token;
    bool open_monitor_routes = false;
    std::size_t max_body_mib = 8;
    std::size_t threads = serve::ServerOptions{}.threads;
    long head_timeout_s = serve::ServerOptions{}.head_timeout.count();
    long body_timeout_s = serve::ServerOptions{}.body_timeout.count();
};

// "ADDR:PORT" (ADDR may be bracketed IPv6); throws a usage Error otherwise.
serve::ServerOptions listen_address(const std::string& listen) {
    auto colon = listen.rfind(':');
    int port = -1;
    if (colon != std::string::npos) {
        const char* first = listen.data() + colon + 1;
        const char* last = listen.data() + listen.size();
        auto parsed = std::from_chars(first, last, port);
        if (parsed.ec != std::errc{} || parsed.ptr != last) {
            port = -1;
        }
    }
    if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
        throw Error(fmt::format("--listen {}: expected ADDR:PORT (PORT 0: any free port)", listen),
                    kUsageError);
    }
    serve::ServerOptions options;
    options.host = listen.substr(0, colon);
    if (options.host.size() > 2 && options.host.front() == '[' && options.host.back() == ']') {
        options.host = options.host.substr(1, options.host.size() - 2);
    }
    options.port = port;
    return options;
}

int serve_command(const ServeOptions& options) {
    auto server = listen_address(options.listen);
    server.max_body = options.max_body_mib * 1024 * 1024;
    server.threads = options.threads;
    server.head_timeout = std::chrono::seconds(options.head_timeout_s);
    server.body_timeout = std::chrono::seconds(options.body_timeout_s);
    std::string token = options.token;
    if (token.empty()) {
        if (const char* from_env = std::getenv("BLACKBOX_TOKEN")) {
            token = from_env;
        }
    }
    // The database as the first line names it: a URL without its password.
    std::string shown;
    std::unique_ptr<store::Backend> backend;
    if (store::is_postgres_url(options.database)) {
        shown = store::redacted_url(options.database);
        backend = std::make_unique<store::PostgresBackend>(options.database);
    } else {
        const std::filesystem::path path =
            options.database.empty() ? store::default_database_path(std::filesystem::current_path())
                                     : std::filesystem::path(options.database);
        shown = path.string();
        backend = std::make_unique<store::SqliteBackend>(path);
    }
    // Bodies are read (their JSON trees built) one body limit's worth at a time.
    serve::Router router(*backend, {token, options.open_monitor_routes, server.max_body});
    serve::serve_forever(router, server, [&](int port) {
        std::cout << fmt::format("blackbox serve: listening on http://{}:{}/ (database {}{})\n",
                                 server.host, port, shown,
                                 token.empty() ? ", no token: writes are open" : "")
                  << std::flush;
    });
    std::cout << "blackbox serve: stopped\n";
    return 0;
}

}  // namespace

std::function<int()> setup_serve(CLI::App& app, const Invocation&) {
    auto options = std::make_shared<ServeOptions>();
    app.footer(
        "Routes, payloads and codes: docs/http-api.md. pytest-monitor's client: "
        "pytest --remote http://ADDR:PORT.\nExit status: 0 when stopped by SIGINT/SIGTERM; 2 when "
        "the address cannot be bound or the database cannot be opened; 4 for a usage error.");
    app.add_option("--listen", options->listen,
                   "ADDR:PORT to listen on (PORT 0: any free port); other machines reach it only "
                   "when ADDR is not loopback")
        ->capture_default_str();
    app.add_option("--db", options->database,
                   "The metrics database: a SQLite file (default: .blackbox/metrics.db in the "
                   "current directory; created when missing) or a PostgreSQL database, "
                   "postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME (its tables created when "
                   "missing)");
    app.add_option("--token", options->token,
                   "Require \"Authorization: Bearer TOKEN\" for writes (default: "
                   "$BLACKBOX_TOKEN; none when unset)");
    app.add_flag("--allow-unauthenticated-monitor-routes", options->open_monitor_routes,
                 "Under a token, keep pytest-monitor's routes (/contexts/, /sessions/, "
                 "/metrics/) open: its client cannot send a token");
    app.add_option("--max-body", options->max_body_mib, "Largest request body, in MiB")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    app.add_option("--threads", options->threads,
                   "Threads that read requests and run the routes (each serves many "
                   "connections)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    app.add_option("--header-timeout", options->head_timeout_s,
                   "Seconds a request's head may take to arrive (from the connection's opening "
                   "or the previous answer); also how long an idle connection is kept")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    app.add_option("--body-timeout", options->body_timeout_s,
                   "Seconds a request's body and its answer may take, from its head")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    return [options] { return serve_command(*options); };
}

}  // namespace blackbox::cli
