#include <charconv>
#include <chrono>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/error.hpp>
#include <blackbox/base/gzip.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/report/html_assets.hpp>
#include <blackbox/report/html_report.hpp>
#include <blackbox/serve/dashboard.hpp>
#include <blackbox/serve/router.hpp>
#include <blackbox/wire/field_reader.hpp>
#include <blackbox/wire/json_body.hpp>
#include <blackbox/wire/monitor_protocol.hpp>
#include <blackbox/wire/report_upload.hpp>
#include <blackbox/wire/rows_chunk_reader.hpp>

namespace blackbox::serve {

namespace {

using nlohmann::json;

constexpr std::size_t kDefaultRuns = 100;
// How long a request waits for its share of the parse budget.
constexpr std::chrono::milliseconds kParsePatience{1000};
constexpr std::size_t kMaxRuns = 10'000;

Response json_response(int status, const json& body) {
    return {status, "application/json", base::json_text(body), {}};
}

Response html_response(std::string page) {
    return {200, "text/html; charset=utf-8", std::move(page), {}};
}

Response unauthorized() {
    return error_response(401,
                          "this route needs the server's token: \"Authorization: Bearer TOKEN\"");
}

// Compares in a time that does not depend on where they differ: the token is a secret.
bool same_secret(std::string_view given, std::string_view secret) {
    if (given.size() != secret.size()) {
        return false;
    }
    unsigned char differ = 0;
    for (std::size_t i = 0; i < given.size(); ++i) {
        differ = static_cast<unsigned char>(differ | (given[i] ^ secret[i]));
    }
    return differ == 0;
}

std::optional<std::string> param(const Request& request, const std::string& key) {
    auto found = request.params.find(key);
    return found == request.params.end() ? std::nullopt : std::optional(found->second);
}

// ?limit=N within 1..kMaxRuns, else the default.
std::size_t limit_param(const Request& request) {
    auto text = param(request, "limit");
    std::size_t limit = 0;
    if (!text ||
        std::from_chars(text->data(), text->data() + text->size(), limit).ec != std::errc{} ||
        limit == 0) {
        return kDefaultRuns;
    }
    return std::min(limit, kMaxRuns);
}

Response no_such_hash() {
    return error_response(404, "no such route: a hash is 1 to 64 characters of [0-9A-Za-z_-]");
}

// ?nodeid= within the bounds of a text field, else nullopt.
std::optional<std::string> nodeid_param(const Request& request) {
    auto nodeid = param(request, "nodeid");
    if (!nodeid || nodeid->empty() || nodeid->size() > wire::kMaxTextField) {
        return std::nullopt;
    }
    return nodeid;
}

Response bad_nodeid() {
    return error_response(400, "?nodeid= names the test (at most 4096 bytes)");
}

}  // namespace

Response error_response(int status, const std::string& message) {
    return json_response(status, json{{"error", message}});
}

Router::Router(store::Backend& backend, RouterOptions options)
    : backend_(backend), options_(std::move(options)) {
    if (options_.parse_budget > 0) {
        parse_budget_ = std::make_unique<ParseBudget>(options_.parse_budget);
    }
}

bool Router::authorized(const Request& request) const {
    if (options_.token.empty()) {
        return true;
    }
    constexpr std::string_view kBearer = "Bearer ";
    std::string_view header = request.authorization;
    return header.substr(0, kBearer.size()) == kBearer &&
           same_secret(header.substr(kBearer.size()), options_.token);
}

bool Router::needs_token(const Request& request) const {
    const auto* route = match(request).route;
    return route && (route->token == Token::required ||
                     (route->token == Token::monitor && !options_.open_monitor_routes));
}

std::optional<Response> Router::before_body(const Request& head) const {
    if (needs_token(head) && !authorized(head)) {
        return unauthorized();
    }
    return std::nullopt;
}

Response Router::handle(const Request& request) const {
    try {
        // Read only while the bodies read at once stay within the budget: their JSON trees are
        // what costs the server's memory.
        const auto share = parse_budget_ && !request.body.empty()
                               ? parse_budget_->take(request.body.size(), kParsePatience)
                               : ParseBudget::Share();
        if (parse_budget_ && !request.body.empty() && !share) {
            return error_response(
                503, "the server is reading as many request bodies as it may at once: try again");
        }
        return route(request);
    } catch (const Error& error) {
        return error_response(500, error.what());
    } catch (const std::exception& error) {
        return error_response(500, fmt::format("internal error: {}", error.what()));
    }
}

// The routes, in the order they are matched: a method, a path pattern ("{}" matches one segment,
// handed to the handler; a trailing slash on the request is ignored), who must show the
// server's token, and the handler. A path that matches a pattern under another method gets 405
// naming the methods it takes; a path that matches none gets 404.
const std::vector<Router::Route>& Router::routes() {
    static const std::vector<Route> table = {
        // pytest-monitor's protocol: its client cannot send a token.
        {"POST", "/contexts", Token::monitor, &Router::post_context},
        {"GET", "/contexts/{}", Token::none, &Router::get_context},
        {"POST", "/sessions", Token::monitor, &Router::post_session},
        {"GET", "/sessions/{}", Token::none, &Router::get_session},
        {"POST", "/metrics", Token::monitor, &Router::post_metric},
        // Our ingest, a run's stored report, and the dashboard's JSON.
        {"POST", "/api/v1/runs", Token::required, &Router::post_run},
        {"GET", "/api/v1/runs", Token::none, &Router::get_runs},
        {"GET", "/api/v1/runs/{}", Token::none, &Router::get_run},
        {"PUT", "/api/v1/runs/{}/report", Token::required, &Router::put_report},
        {"GET", "/api/v1/runs/{}/report", Token::none, &Router::get_report_json},
        {"GET", "/api/v1/history", Token::none, &Router::get_history},
        // The dashboard's pages and assets.
        {"GET", "/", Token::none, &Router::get_runs_page},
        {"GET", "/runs/{}", Token::none, &Router::get_run_page},
        {"GET", "/runs/{}/report", Token::none, &Router::get_report_page},
        {"GET", "/tests", Token::none, &Router::get_history_page},
        {"GET", "/assets/{}", Token::none, &Router::get_asset},
        {"GET", "/healthz", Token::none, &Router::get_health},
    };
    return table;
}

Router::Match Router::match(const Request& request) const {
    std::string_view path = request.path;
    if (path.size() > 1 && path.ends_with('/')) {
        path.remove_suffix(1);
    }
    // HEAD is answered as GET (the server sends no body).
    const std::string_view method =
        request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
    Match found;
    for (const auto& route : routes()) {
        auto captured = capture(route.pattern, path);
        if (!captured) {
            continue;
        }
        if (route.method == method) {
            found.route = &route;
            found.captured = *captured;
            return found;
        }
        found.methods.push_back(route.method);
    }
    return found;
}

std::optional<std::string_view> Router::capture(std::string_view pattern, std::string_view path) {
    const auto hole = pattern.find("{}");
    if (hole == std::string_view::npos) {
        return pattern == path ? std::optional(std::string_view()) : std::nullopt;
    }
    const auto before = pattern.substr(0, hole);
    const auto after = pattern.substr(hole + 2);
    if (path.size() <= before.size() + after.size() || !path.starts_with(before) ||
        !path.ends_with(after)) {
        return std::nullopt;
    }
    auto segment = path.substr(before.size(), path.size() - before.size() - after.size());
    if (segment.find('/') != std::string_view::npos) {
        return std::nullopt;
    }
    return segment;
}

Response Router::route(const Request& request) const {
    if (auto refused = before_body(request)) {
        return *refused;
    }
    auto found = match(request);
    if (found.route) {
        return (this->*found.route->handle)(request, found.captured);
    }
    if (!found.methods.empty()) {
        return error_response(
            405, fmt::format("{} takes {}", request.path, fmt::join(found.methods, " or ")));
    }
    return error_response(404, fmt::format("no such route: {}", request.path));
}

Response Router::post_context(const Request& request, std::string_view) const {
    auto body = wire::parse_json_body(request.body);
    if (!body.value) {
        return error_response(400, body.error);
    }
    auto context = wire::parse_monitor_context(*body.value);
    if (!context.value) {
        return error_response(422, context.error);
    }
    backend_.add_context(*context.value);
    return json_response(201, wire::monitor_context_json(*context.value));
}

Response Router::post_session(const Request& request, std::string_view) const {
    auto body = wire::parse_json_body(request.body);
    if (!body.value) {
        return error_response(400, body.error);
    }
    auto session = wire::parse_monitor_session(*body.value);
    if (!session.value) {
        return error_response(422, session.error);
    }
    backend_.add_session(*session.value);
    return json_response(201, wire::monitor_session_json(*session.value));
}

Response Router::post_metric(const Request& request, std::string_view) const {
    auto body = wire::parse_json_body(request.body);
    if (!body.value) {
        return error_response(400, body.error);
    }
    auto metric = wire::parse_monitor_metric(*body.value);
    if (!metric.value) {
        return error_response(422, metric.error);
    }
    if (!backend_.add_metric(*metric.value)) {
        return error_response(422,
                              "metric: its session_h or context_h is unknown: post them to "
                              "/sessions/ and /contexts/ first");
    }
    return json_response(201, wire::monitor_metric_json(*metric.value));
}

Response Router::get_context(const Request&, std::string_view hash) const {
    if (!wire::is_hash(hash)) {
        return no_such_hash();
    }
    auto context = backend_.find_context(std::string(hash));
    if (!context) {
        return {204, "application/json", "", {}};
    }
    return json_response(200, json{{"contexts", {wire::monitor_context_json(*context)}}});
}

Response Router::get_session(const Request&, std::string_view hash) const {
    if (!wire::is_hash(hash)) {
        return no_such_hash();
    }
    auto session = backend_.find_session(std::string(hash));
    if (!session) {
        return {204, "application/json", "", {}};
    }
    return json_response(200, json{{"sessions", {wire::monitor_session_json(*session)}}});
}

Response Router::post_run(const Request& request, std::string_view) const {
    auto upload = wire::read_rows_chunk(request.body);
    if (!upload) {
        // A head chunk, or a body with a problem: read strictly, for its answer.
        auto body = wire::parse_json_body(request.body);
        if (!body.value) {
            return error_response(400, body.error);
        }
        auto parsed = wire::parse_upload(*body.value);
        if (!parsed.upload) {
            return error_response(422, parsed.error);
        }
        upload = std::move(parsed.upload);
    }
    auto counts = backend_.ingest(*upload);
    return json_response(201, json{{"session_h", upload->session_h},
                                   {"chunk", upload->chunk},
                                   {"chunks", upload->chunks},
                                   {"tests", counts.tests},
                                   {"metrics", counts.metrics},
                                   {"crashes", counts.crashes}});
}

Response Router::get_runs(const Request& request, std::string_view) const {
    return json_response(200, json{{"runs", backend_.runs(limit_param(request))}});
}

Response Router::get_run(const Request&, std::string_view hash) const {
    auto run = wire::is_hash(hash) ? backend_.run(std::string(hash)) : std::nullopt;
    return run ? json_response(200, *run) : error_response(404, "no such run");
}

Response Router::get_history(const Request& request, std::string_view) const {
    auto nodeid = nodeid_param(request);
    if (!nodeid) {
        return bad_nodeid();
    }
    auto rows = backend_.test_history(*nodeid, limit_param(request));
    return json_response(200, json{{"nodeid", *nodeid}, {"history", rows}});
}

Response Router::get_history_page(const Request& request, std::string_view) const {
    auto nodeid = nodeid_param(request);
    if (!nodeid) {
        return bad_nodeid();
    }
    return html_response(
        history_page(*nodeid, backend_.test_history(*nodeid, limit_param(request))));
}

Response Router::get_runs_page(const Request& request, std::string_view) const {
    return html_response(runs_page(backend_.runs(limit_param(request))));
}

Response Router::get_run_page(const Request&, std::string_view hash) const {
    auto run = wire::is_hash(hash) ? backend_.run(std::string(hash)) : std::nullopt;
    return run ? html_response(run_page(*run)) : error_response(404, "no such run");
}

Response Router::get_asset(const Request& request, std::string_view name) const {
    struct Asset {
        std::string_view name;
        std::string_view content_type;
        std::string_view (*text)();
    };
    static constexpr Asset kAssets[] = {
        {"uplot.js", "text/javascript", [] { return std::string_view(report::assets::uplot_js); }},
        {"uplot.css", "text/css", [] { return std::string_view(report::assets::uplot_css); }},
        {"dashboard.js", "text/javascript", [] { return std::string_view(dashboard_js()); }},
        {"dashboard.css", "text/css", [] { return std::string_view(dashboard_css()); }},
    };
    for (const auto& asset : kAssets) {
        if (asset.name == name) {
            return {200, std::string(asset.content_type), std::string(asset.text()), {}};
        }
    }
    return error_response(404, fmt::format("no such route: {}", request.path));
}

Response Router::get_health(const Request&, std::string_view) const {
    return json_response(200, json{{"status", "ok"}});
}

Response Router::put_report(const Request& request, std::string_view hash) const {
    if (!wire::is_hash(hash)) {
        return error_response(404, "no such run");
    }
    auto head = wire::read_report_head(request.body);
    if (!head.head) {
        return error_response(head.status, head.error);
    }
    backend_.put_report(std::string(hash), request.body);
    return json_response(201, json{{"session_h", hash}, {"bytes", request.body.size()}});
}

Response Router::get_report_json(const Request& request, std::string_view hash) const {
    auto stored = wire::is_hash(hash) ? backend_.report(std::string(hash)) : std::nullopt;
    if (!stored) {
        return error_response(
            404, wire::is_hash(hash) ? "no report was pushed for this run" : "no such run");
    }
    // Stored compressed: sent so to a client that reads gzip (a browser does), which costs the
    // server nothing; decompressed (up to wire::kMaxReportJson) for one that does not.
    if (request.accepts_gzip) {
        return {200, "application/json", *stored, {}, "gzip"};
    }
    try {
        return {200, "application/json", base::gunzip(*stored, wire::kMaxReportJson), {}};
    } catch (const Error& error) {
        return error_response(500, fmt::format("the stored report: {}", error.what()));
    }
}

Response Router::get_report_page(const Request&, std::string_view hash) const {
    auto stored = wire::is_hash(hash) ? backend_.report(std::string(hash)) : std::nullopt;
    if (!stored) {
        return error_response(
            404, wire::is_hash(hash) ? "no report was pushed for this run" : "no such run");
    }
    auto head = wire::read_report_head(*stored);
    if (!head.head) {
        return error_response(500, "the stored report: " + head.error);
    }
    return {200, "text/html; charset=utf-8", report::html_page(*head.head, *stored),
            report::content_security_policy({report::assets::uplot_js, report::assets::report_js}) +
                "; frame-ancestors 'none'"};
}

}  // namespace blackbox::serve
