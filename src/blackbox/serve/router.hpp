#pragma once

// Every route of `blackbox serve` (docs/http-api.md), independent of the HTTP library: a request
// in, a response out, over a Backend. Unknown routes, bad methods, malformed bodies and missing
// credentials get 4xx with a JSON message and change nothing; a failing backend gets 500. The
// catch boundary of the server: handle() never throws.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/serve/parse_budget.hpp>
#include <blackbox/store/backend.hpp>

namespace blackbox::serve {

struct Request {
    std::string method;                              // "GET", "POST", ...
    std::string path;                                // decoded, without the query
    std::multimap<std::string, std::string> params;  // the query's, decoded
    std::string body;
    std::string authorization;  // the Authorization header, "" when absent
    bool accepts_gzip = false;  // Accept-Encoding names gzip
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    // A page's own Content-Security-Policy; empty: the dashboard's (only the server's scripts).
    std::string content_security_policy;
    // "gzip" when the body is compressed (only for a request that accepts_gzip).
    std::string content_encoding = {};
};

struct RouterOptions {
    // The bearer token our write routes require; empty: none required.
    std::string token;
    // Whether pytest-monitor's routes (its client cannot send a token) stay open under a token.
    bool open_monitor_routes = false;
    // The bytes of bodies read at once (parse_budget.hpp); 0: no bound.
    std::size_t parse_budget = 0;
};

class Router {
  public:
    // `backend` must outlive the router.
    Router(store::Backend& backend, RouterOptions options);

    // Thread-safe (the backend is). A request whose body does not fit in the parse budget waits
    // for others' to end, up to a second (it holds its server thread meanwhile), then gets 503.
    Response handle(const Request& request) const;

    // The answer a request gets from its head alone (method, path, authorization), before a byte
    // of its body is read: 401 for a write that needs the token and lacks it (handle() answers
    // the same). nullopt: read the body, then handle(). Never throws.
    std::optional<Response> before_body(const Request& head) const;

  private:
    // Who must show the server's token (RouterOptions::token) for a route.
    enum class Token {
        none,      // nobody: reads
        required,  // every client: our writes
        monitor,   // pytest-monitor's client, unless RouterOptions::open_monitor_routes
    };
    using Handler = Response (Router::*)(const Request&, std::string_view captured) const;
    struct Route {
        std::string_view method;
        std::string_view pattern;  // "{}" stands for one path segment, handed to the handler
        Token token;
        Handler handle;
    };
    // The route a request's method and path select, else the methods its path takes.
    struct Match {
        const Route* route = nullptr;
        std::string_view captured;
        std::vector<std::string_view> methods;
    };
    static const std::vector<Route>& routes();
    // What `pattern`'s "{}" matches in `path` ("" for a pattern without one), else nullopt.
    static std::optional<std::string_view> capture(std::string_view pattern, std::string_view path);
    Match match(const Request& request) const;
    Response route(const Request& request) const;
    bool authorized(const Request& request) const;
    bool needs_token(const Request& request) const;

    Response post_context(const Request& request, std::string_view) const;
    Response get_context(const Request& request, std::string_view hash) const;
    Response post_session(const Request& request, std::string_view) const;
    Response get_session(const Request& request, std::string_view hash) const;
    Response post_metric(const Request& request, std::string_view) const;
    Response post_run(const Request& request, std::string_view) const;
    Response get_runs(const Request& request, std::string_view) const;
    Response get_run(const Request& request, std::string_view hash) const;
    Response put_report(const Request& request, std::string_view hash) const;
    Response get_report_json(const Request& request, std::string_view hash) const;
    Response get_report_page(const Request& request, std::string_view hash) const;
    Response get_history(const Request& request, std::string_view) const;
    Response get_history_page(const Request& request, std::string_view) const;
    Response get_runs_page(const Request& request, std::string_view) const;
    Response get_run_page(const Request& request, std::string_view hash) const;
    Response get_asset(const Request& request, std::string_view name) const;
    Response get_health(const Request& request, std::string_view) const;

    store::Backend& backend_;
    RouterOptions options_;
    std::unique_ptr<ParseBudget> parse_budget_;
};

// A JSON error response: {"error": message}.
Response error_response(int status, const std::string& message);

}  // namespace blackbox::serve
