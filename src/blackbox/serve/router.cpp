#include <charconv>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/error.hpp>
#include <blackbox/base/gzip.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/report/html_assets.hpp>
#include <blackbox/report/html_report.hpp>
#include <blackbox/serve/dashboard.hpp>
#include <blackbox/serve/field_reader.hpp>
#include <blackbox/serve/json_body.hpp>
#include <blackbox/serve/monitor_protocol.hpp>
#include <blackbox/serve/report_upload.hpp>
#include <blackbox/serve/router.hpp>
#include <blackbox/serve/rows_chunk_reader.hpp>

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

// `text` equals `prefix` + one hash: the hash, else "".
std::string hash_after(std::string_view text, std::string_view prefix) {
    if (text.substr(0, prefix.size()) != prefix) {
        return {};
    }
    auto rest = text.substr(prefix.size());
    if (!rest.empty() && rest.back() == '/') {
        rest.remove_suffix(1);
    }
    return std::string(rest);
}

// The run's hash in "/api/v1/runs/<h>/report" or "/runs/<h>/report" (a trailing slash allowed),
// else "". `api` tells which.
std::string report_hash(std::string_view path, bool& api) {
    if (path.ends_with('/')) {
        path.remove_suffix(1);
    }
    constexpr std::string_view kSuffix = "/report";
    if (!path.ends_with(kSuffix)) {
        return {};
    }
    path.remove_suffix(kSuffix.size());
    for (std::string_view prefix : {"/api/v1/runs/", "/runs/"}) {
        if (path.starts_with(prefix)) {
            api = prefix.starts_with("/api/");
            return std::string(path.substr(prefix.size()));
        }
    }
    return {};
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
    const std::string_view path = request.path;
    if (request.method == "POST") {
        const bool monitor = path.starts_with("/contexts") || path.starts_with("/sessions") ||
                             path.starts_with("/metrics");
        return path == "/api/v1/runs" || path == "/api/v1/runs/" ||
               (monitor && !options_.open_monitor_routes);
    }
    bool api = false;
    return request.method == "PUT" && !report_hash(path, api).empty();
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

Response Router::route(const Request& request) const {
    const std::string_view path = request.path;
    const bool get = request.method == "GET" || request.method == "HEAD";
    const bool post = request.method == "POST";
    const bool monitor = path.starts_with("/contexts") || path.starts_with("/sessions") ||
                         path.starts_with("/metrics");
    const bool ingest = path == "/api/v1/runs" || path == "/api/v1/runs/";

    if (auto refused = before_body(request)) {
        return *refused;
    }

    // pytest-monitor's protocol.
    if (monitor) {
        const bool collection = path == "/contexts/" || path == "/contexts" ||
                                path == "/sessions/" || path == "/sessions" ||
                                path == "/metrics/" || path == "/metrics";
        if (collection) {
            if (!post) {
                return error_response(405, fmt::format("{} takes POST", path));
            }
            auto body = parse_json_body(request.body);
            if (!body.value) {
                return error_response(400, body.error);
            }
            if (path.starts_with("/contexts")) {
                auto context = parse_monitor_context(*body.value);
                if (!context.value) {
                    return error_response(422, context.error);
                }
                backend_.add_context(*context.value);
                return json_response(201, monitor_context_json(*context.value));
            }
            if (path.starts_with("/sessions")) {
                auto session = parse_monitor_session(*body.value);
                if (!session.value) {
                    return error_response(422, session.error);
                }
                backend_.add_session(*session.value);
                return json_response(201, monitor_session_json(*session.value));
            }
            auto metric = parse_monitor_metric(*body.value);
            if (!metric.value) {
                return error_response(422, metric.error);
            }
            if (!backend_.add_metric(*metric.value)) {
                return error_response(422,
                                      "metric: its session_h or context_h is unknown: post "
                                      "them to /sessions/ and /contexts/ first");
            }
            return json_response(201, monitor_metric_json(*metric.value));
        }
        if (!get) {
            return error_response(405, fmt::format("{} takes GET", path));
        }
        const bool contexts = path.starts_with("/contexts/");
        auto hash = hash_after(path, contexts ? "/contexts/" : "/sessions/");
        if (!is_hash(hash)) {
            return error_response(404,
                                  "no such route: a hash is 1 to 64 characters of "
                                  "[0-9A-Za-z_-]");
        }
        if (contexts) {
            auto context = backend_.find_context(hash);
            if (!context) {
                return {204, "application/json", "", {}};
            }
            return json_response(200, json{{"contexts", {monitor_context_json(*context)}}});
        }
        auto session = backend_.find_session(hash);
        if (!session) {
            return {204, "application/json", "", {}};
        }
        return json_response(200, json{{"sessions", {monitor_session_json(*session)}}});
    }

    // A run's report: stored whole (PUT), shown as its page or read as its JSON.
    bool api = false;
    if (auto hash = report_hash(path, api); !hash.empty()) {
        return report_route(request, hash, api);
    }

    // Our ingest and the dashboard's JSON.
    if (ingest) {
        if (post) {
            auto upload = read_rows_chunk(request.body);
            if (!upload) {
                // A head chunk, or a body with a problem: read strictly, for its answer.
                auto body = parse_json_body(request.body);
                if (!body.value) {
                    return error_response(400, body.error);
                }
                auto parsed = parse_upload(*body.value);
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
        if (get) {
            return json_response(200, json{{"runs", backend_.runs(limit_param(request))}});
        }
        return error_response(405, "/api/v1/runs takes GET or POST");
    }
    if (!get) {
        return error_response(path.starts_with("/api/") || path == "/" ? 405 : 404,
                              fmt::format("no {} route for {}", request.method, path));
    }
    if (auto hash = hash_after(path, "/api/v1/runs/"); !hash.empty()) {
        if (!is_hash(hash)) {
            return error_response(404, "no such run");
        }
        auto run = backend_.run(hash);
        return run ? json_response(200, *run) : error_response(404, "no such run");
    }
    if (path == "/api/v1/history" || path == "/tests") {
        auto nodeid = param(request, "nodeid");
        if (!nodeid || nodeid->empty() || nodeid->size() > kMaxTextField) {
            return error_response(400, "?nodeid= names the test (at most 4096 bytes)");
        }
        auto rows = backend_.test_history(*nodeid, limit_param(request));
        if (path == "/tests") {
            return html_response(history_page(*nodeid, rows));
        }
        return json_response(200, json{{"nodeid", *nodeid}, {"history", rows}});
    }
    if (path == "/") {
        return html_response(runs_page(backend_.runs(limit_param(request))));
    }
    if (auto hash = hash_after(path, "/runs/"); !hash.empty()) {
        auto run = is_hash(hash) ? backend_.run(hash) : std::nullopt;
        return run ? html_response(run_page(*run)) : error_response(404, "no such run");
    }
    if (path == "/healthz") {
        return json_response(200, json{{"status", "ok"}});
    }
    if (path == "/assets/uplot.js") {
        return {200, "text/javascript", std::string(report::assets::uplot_js), {}};
    }
    if (path == "/assets/uplot.css") {
        return {200, "text/css", std::string(report::assets::uplot_css), {}};
    }
    if (path == "/assets/dashboard.js") {
        return {200, "text/javascript", std::string(dashboard_js()), {}};
    }
    if (path == "/assets/dashboard.css") {
        return {200, "text/css", std::string(dashboard_css()), {}};
    }
    return error_response(404, fmt::format("no such route: {}", path));
}

Response Router::report_route(const Request& request, const std::string& hash, bool api) const {
    const bool put = request.method == "PUT";  // its token was checked by before_body()
    if (!is_hash(hash)) {
        return error_response(404, "no such run");
    }
    if (put) {
        if (!api) {
            return error_response(405, "a report is stored with PUT /api/v1/runs/<h>/report");
        }
        auto head = read_report_head(request.body);
        if (!head.head) {
            return error_response(head.status, head.error);
        }
        backend_.put_report(hash, request.body);
        return json_response(201, json{{"session_h", hash}, {"bytes", request.body.size()}});
    }
    if (request.method != "GET" && request.method != "HEAD") {
        return error_response(405,
                              fmt::format("{} takes GET{}", request.path, api ? " or PUT" : ""));
    }
    auto stored = backend_.report(hash);
    if (!stored) {
        return error_response(404, "no report was pushed for this run");
    }
    if (api) {
        // Stored compressed: sent so to a client that reads gzip (a browser does), which costs
        // the server nothing; decompressed (up to kMaxReportJson) for one that does not.
        if (request.accepts_gzip) {
            return {200, "application/json", *stored, {}, "gzip"};
        }
        try {
            return {200, "application/json", base::gunzip(*stored, kMaxReportJson), {}};
        } catch (const Error& error) {
            return error_response(500, fmt::format("the stored report: {}", error.what()));
        }
    }
    auto head = read_report_head(*stored);
    if (!head.head) {
        return error_response(500, "the stored report: " + head.error);
    }
    return {200, "text/html; charset=utf-8", report::html_page(*head.head, *stored),
            report::content_security_policy({report::assets::uplot_js, report::assets::report_js}) +
                "; frame-ancestors 'none'"};
}

}  // namespace blackbox::serve
