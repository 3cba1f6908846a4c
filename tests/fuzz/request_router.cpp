// Every route of `blackbox serve` (serve/router.hpp) on any requests, over a backend in memory
// (memory_backend.hpp). The input is a list of requests in sections (fuzz_input.hpp): each
// "@@ METHOD PATH[?QUERY] [token] [gzip]" line starts one, its body following; the text before
// the first marker is the body of an authorized POST /api/v1/runs. The router never throws and
// never answers 500 (the backend does not fail); an answer it gives from the head alone
// (before_body) is the one handle() gives; every JSON answer is valid JSON and UTF-8.

#include <sstream>

#include <nlohmann/json.hpp>

#include <blackbox/base/utf8_text.hpp>
#include <blackbox/serve/router.hpp>

#include "fuzz_input.hpp"
#include "memory_backend.hpp"

using namespace blackbox;

namespace {

constexpr std::string_view kToken = "s3cret";

serve::Request request_of(std::string_view line, std::string_view body) {
    serve::Request request;
    std::istringstream words{std::string(line)};
    std::string target, word;
    words >> request.method >> target;
    while (words >> word) {
        if (word == "token") {
            request.authorization = "Bearer " + std::string(kToken);
        } else if (word == "gzip") {
            request.accepts_gzip = true;
        } else if (word.starts_with("auth=")) {
            request.authorization = word.substr(5);
        }
    }
    auto query = target.find('?');
    request.path = target.substr(0, query);
    if (query != std::string::npos) {
        std::string_view rest = std::string_view(target).substr(query + 1);
        while (!rest.empty()) {
            auto amp = rest.find('&');
            auto pair = rest.substr(0, amp);
            auto eq = pair.find('=');
            request.params.emplace(
                std::string(pair.substr(0, eq)),
                eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
            rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        }
    }
    request.body = std::string(body);
    return request;
}

void check_answer(const serve::Router& router, const serve::Request& request) {
    const auto early = router.before_body(request);
    const auto response = router.handle(request);
    fuzz::check(response.status >= 200 && response.status <= 599, "a status out of range");
    fuzz::check(response.status != 500, "a 500 from a backend that does not fail");
    fuzz::check(!early || early->status == response.status,
                "before_body and handle answer differently");
    if (response.content_type == "application/json" && response.content_encoding.empty() &&
        !response.body.empty()) {
        fuzz::check(base::is_valid_utf8(response.body), "a JSON answer is not UTF-8");
        fuzz::check(nlohmann::json::accept(response.body), "a JSON answer is not JSON");
    }
    if (response.content_type.starts_with("text/html")) {
        fuzz::check(base::is_valid_utf8(response.body), "a page is not UTF-8");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::MemoryBackend backend;
    serve::RouterOptions options;
    options.token = std::string(kToken);
    serve::Router router(backend, options);
    const auto parts = fuzz::sections(fuzz::as_text(data, size));
    for (const auto& [line, body] : parts) {
        if (line.empty()) {
            if (!body.empty()) {
                check_answer(router, request_of("POST /api/v1/runs token", body));
            }
            continue;
        }
        check_answer(router, request_of(line, body));
    }
    return 0;
}
