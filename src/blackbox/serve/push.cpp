#include <chrono>
#include <httplib.h>
#include <thread>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/serve/push.hpp>
#include <blackbox/serve/run_upload.hpp>

namespace blackbox::serve {

namespace {

constexpr int kAttempts = 3;

struct Target {
    std::string origin;  // scheme://host:port
    std::string prefix;  // "" or "/path" without a trailing slash
};

std::optional<Target> parse_url(const std::string& url) {
    for (std::string_view scheme : {"http://", "https://"}) {
        if (url.starts_with(scheme)) {
            auto slash = url.find('/', scheme.size());
            Target target;
            target.origin = url.substr(0, slash);
            if (slash != std::string::npos) {
                target.prefix = url.substr(slash);
                while (!target.prefix.empty() && target.prefix.back() == '/') {
                    target.prefix.pop_back();
                }
            }
            if (target.origin.size() > scheme.size()) {
                return target;
            }
        }
    }
    return std::nullopt;
}

// The server's message in an error answer, else its start.
std::string server_message(const std::string& body) {
    auto value = nlohmann::json::parse(body, nullptr, false);
    if (value.is_object() && value.contains("error") && value["error"].is_string()) {
        return value["error"].get<std::string>();
    }
    return body.substr(0, 200);
}

PushResult send(const postmortem::RunModel& run, const PushOptions& options) {
    PushResult result;
    auto target = parse_url(options.url);
    if (!target) {
        result.message = fmt::format("{} is not an http:// or https:// URL", options.url);
        return result;
    }
    const auto chunks = upload_chunks(run, options.chunk_bytes);
    httplib::Client client(target->origin);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(60, 0);
    client.set_write_timeout(60, 0);
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);  // no delayed-ACK stall between a request's headers and body
    httplib::Headers headers;
    if (!options.token.empty()) {
        headers.emplace("Authorization", "Bearer " + options.token);
    }
    const std::string path = target->prefix + "/api/v1/runs";
    for (const auto& chunk : chunks) {
        auto answer = client.Post(path, headers, chunk, "application/json");
        for (int attempt = 2; attempt <= kAttempts && (!answer || answer->status >= 500);
             ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
            answer = client.Post(path, headers, chunk, "application/json");
        }
        if (!answer) {
            result.message =
                fmt::format("cannot reach {}: {}", options.url, httplib::to_string(answer.error()));
            return result;
        }
        if (answer->status != 201) {
            result.message = fmt::format("{} answered {}: {}", options.url, answer->status,
                                         server_message(answer->body));
            return result;
        }
        auto counts = nlohmann::json::parse(answer->body, nullptr, false);
        if (counts.is_object()) {
            result.tests += counts.value("tests", std::size_t{0});
            result.metrics += counts.value("metrics", std::size_t{0});
            result.crashes += counts.value("crashes", std::size_t{0});
        }
        ++result.chunks;
    }
    result.ok = true;
    result.message = fmt::format("{} tests, {} metrics rows, {} crashes in {} requests",
                                 result.tests, result.metrics, result.crashes, result.chunks);
    return result;
}

}  // namespace

PushResult push_run(const postmortem::RunModel& run, const PushOptions& options) noexcept {
    try {
        return send(run, options);
    } catch (const std::exception& failure) {
        PushResult result;
        result.message = failure.what();
        return result;
    }
}

}  // namespace blackbox::serve
