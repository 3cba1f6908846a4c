#include <chrono>
#include <thread>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/push/http_client.hpp>
#include <blackbox/push/push.hpp>
#include <blackbox/report/html_data.hpp>
#include <blackbox/report/html_report.hpp>
#include <blackbox/rundir/run_files.hpp>
#include <blackbox/store/session_row.hpp>
#include <blackbox/wire/run_upload.hpp>

namespace blackbox::push {

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
    const auto chunks = wire::upload_chunks(run, options.chunk_bytes);
    const auto session_h = store::session_row(run).session_h;
    // The report's data block, as `report.html` embeds it (level 6: sent, not written locally).
    const auto report =
        options.report
            ? report::report_data_gzip(report::html_data(run, run.dir / rundir::kSamplesFile), 6)
            : std::string();
    HttpClient client(HttpClient::Clock::now() + options.timeout);
    // A request, retried after a connection failure or a 5xx while there is time.
    auto request = [&](const char* method, const std::string& path, const std::string& body,
                       const char* type) {
        const std::string url = target->origin + path;
        auto answer = client.send(method, url, body, type, options.token);
        for (int attempt = 2; attempt <= kAttempts && !client.expired() &&
                              (!answer.answered || answer.status >= 500);
             ++attempt) {
            const auto pause = std::chrono::milliseconds(200 * attempt);
            if (HttpClient::Clock::now() + pause >= client.deadline()) {
                break;
            }
            std::this_thread::sleep_for(pause);
            answer = client.send(method, url, body, type, options.token);
        }
        return answer;
    };
    auto unreachable = [&](const HttpAnswer& answer) {
        return fmt::format("no answer from {}: {}", options.url, answer.error);
    };
    const std::string path = target->prefix + "/api/v1/runs";
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        if (i + 1 == chunks.size() && !report.empty()) {
            // Before the head: a run the runs list shows has its report, when it has one.
            auto answer = request("PUT", fmt::format("{}/{}/report", path, session_h), report,
                                  "application/gzip");
            if (!answer.answered) {
                result.message = unreachable(answer);
                return result;
            }
            result.report = answer.status == 201;
            result.report_note =
                result.report ? fmt::format("report stored ({} KiB)", report.size() / 1024)
                              : fmt::format("report not stored: {} answered {}: {}", options.url,
                                            answer.status, server_message(answer.body));
        }
        auto answer = request("POST", path, chunks[i], "application/json");
        if (!answer.answered) {
            result.message = unreachable(answer);
            return result;
        }
        if (answer.status != 201) {
            result.message = fmt::format("{} answered {}: {}", options.url, answer.status,
                                         server_message(answer.body));
            return result;
        }
        auto counts = nlohmann::json::parse(answer.body, nullptr, false);
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
    if (!result.report_note.empty()) {
        result.message += "; " + result.report_note;
    }
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

}  // namespace blackbox::push
