#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <curl/curl.h>
#include <mutex>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/push/http_client.hpp>

namespace blackbox::push {

namespace {

// Below this many bytes a second for this long, a transfer is abandoned before its deadline:
// a server that trickles its answer.
constexpr long kLowSpeedBytes = 1024;
constexpr long kLowSpeedSeconds = 30;

struct Received {
    std::string body;
    std::size_t head_bytes = 0;
    bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* out) {
    auto& received = *static_cast<Received*>(out);
    const std::size_t bytes = size * count;
    if (received.body.size() + bytes > HttpClient::kMaxAnswerBody) {
        received.too_large = true;
        return 0;  // stops the transfer (CURLE_WRITE_ERROR)
    }
    received.body.append(data, bytes);
    return bytes;
}

std::size_t on_header(char*, std::size_t size, std::size_t count, void* out) {
    auto& received = *static_cast<Received*>(out);
    const std::size_t bytes = size * count;
    received.head_bytes += bytes;
    if (received.head_bytes > HttpClient::kMaxAnswerHead) {
        received.too_large = true;
        return 0;
    }
    return bytes;
}

// The whole reason a transfer failed: libcurl's own message (its error buffer, else the text of
// its code), and the system's error when one caused it and the message does not already say it
// ("Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server (Connection
// refused)"): "Couldn't connect" alone does not tell a server that is down from a firewall.
std::string failure_reason(CURL* curl, CURLcode code, const char* message) {
    std::string reason = message[0] != '\0' ? std::string(message) : curl_easy_strerror(code);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) {
        reason.pop_back();
    }
    long os_error = 0;
    if (curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_error) == CURLE_OK && os_error != 0) {
        std::string system = std::strerror(static_cast<int>(os_error));
        if (reason.find(system) == std::string::npos) {
            reason += " (" + system + ")";
        }
    }
    return reason;
}

void start_curl() {
    static std::once_flag once;
    static CURLcode started = CURLE_OK;
    std::call_once(once, [] { started = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (started != CURLE_OK) {
        throw Error(fmt::format("libcurl cannot start: {}", curl_easy_strerror(started)));
    }
}

}  // namespace

// One easy handle, driven by a multi handle so that the deadline is checked on this client's
// own clock between libcurl's steps (the multi handle keeps the connection between requests).
struct HttpClient::Handle {
    CURLM* multi = nullptr;
    CURL* curl = nullptr;
    ~Handle() {
        if (curl != nullptr) {
            curl_easy_cleanup(curl);
        }
        if (multi != nullptr) {
            curl_multi_cleanup(multi);
        }
    }
};

namespace {

// What one transfer came to: libcurl's result, or the deadline reached first.
struct Transfer {
    bool out_of_time = false;
    CURLcode code = CURLE_OK;
    std::string failure;  // a multi-interface failure, when not empty
};

// Runs the easy handle's transfer until it ends or `deadline` passes on the steady clock, the one
// the push's time limit is measured on: libcurl's own timeouts start when it starts and round
// to its timer, so they cannot say whether that limit was reached. The handle is taken out of
// the multi handle either way (a transfer cut short closes its connection).
Transfer run_until(CURLM* multi, CURL* curl, HttpClient::Clock::time_point deadline) {
    Transfer transfer;
    if (CURLMcode added = curl_multi_add_handle(multi, curl); added != CURLM_OK) {
        transfer.failure = curl_multi_strerror(added);
        return transfer;
    }
    bool done = false;
    while (!done) {
        int running = 0;
        if (CURLMcode step = curl_multi_perform(multi, &running); step != CURLM_OK) {
            transfer.failure = curl_multi_strerror(step);
            break;
        }
        int queued = 0;
        while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
            if (message->msg == CURLMSG_DONE && message->easy_handle == curl) {
                transfer.code = message->data.result;
                done = true;
            }
        }
        if (done) {
            break;
        }
        const auto now = HttpClient::Clock::now();
        if (now >= deadline) {
            transfer.out_of_time = true;
            break;
        }
        // At most a second at a time; rounded up, so that the wait never ends just short of it.
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        const int wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1000));
        if (CURLMcode waited = curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
            waited != CURLM_OK) {
            transfer.failure = curl_multi_strerror(waited);
            break;
        }
    }
    curl_multi_remove_handle(multi, curl);
    return transfer;
}

}  // namespace

HttpClient::HttpClient(Clock::time_point deadline)
    : handle_(std::make_unique<Handle>()), deadline_(deadline) {
    start_curl();
    handle_->multi = curl_multi_init();
    handle_->curl = curl_easy_init();
    if (handle_->multi == nullptr || handle_->curl == nullptr) {
        throw Error("libcurl cannot make a handle");
    }
}

HttpClient::~HttpClient() = default;

HttpAnswer HttpClient::send(const char* method, const std::string& url, std::string_view body,
                            const char* content_type, const std::string& token) {
    HttpAnswer answer;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    if (left.count() <= 0) {
        answer.error = kOutOfTime;
        return answer;
    }
    CURL* curl = handle_->curl;
    Received received;
    curl_slist* headers = nullptr;
    const std::string type = fmt::format("Content-Type: {}", content_type);
    const std::string authorization = fmt::format("Authorization: Bearer {}", token);
    headers = curl_slist_append(headers, type.c_str());
    if (!token.empty()) {
        headers = curl_slist_append(headers, authorization.c_str());
    }
    // No "Expect: 100-continue" round trip before a large body; no compressed answers either
    // (Accept-Encoding is not sent, so nothing is decompressed).
    headers = curl_slist_append(headers, "Expect:");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> owned(headers,
                                                                      &curl_slist_free_all);
    if (headers == nullptr) {
        answer.error = "out of memory";
        return answer;
    }
    curl_easy_reset(curl);  // keeps the connection, forgets the previous request's options
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM: threads may be running
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    // The deadline is the client's (run_until); libcurl's own limit on the connection only when
    // it is the shorter one, so that a time limit reached is always said as such.
    if (left > kConnectTimeout) {
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(kConnectTimeout.count()));
    }
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytes);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, kLowSpeedSeconds);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &received);
    char message[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, message);

    const Transfer transfer = run_until(handle_->multi, curl, deadline_);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    if (received.too_large) {
        answer.error = fmt::format(
            "its answer is larger than {} KiB",
            (received.head_bytes > kMaxAnswerHead ? kMaxAnswerHead : kMaxAnswerBody) / 1024);
        return answer;
    }
    if (transfer.out_of_time) {
        answer.error = kOutOfTime;
        return answer;
    }
    if (!transfer.failure.empty()) {
        answer.error = transfer.failure;
        return answer;
    }
    if (transfer.code != CURLE_OK) {
        answer.error = failure_reason(curl, transfer.code, message);
        return answer;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    answer.answered = true;
    answer.body = std::move(received.body);
    return answer;
}

}  // namespace blackbox::push
