// The server's request body readers (serve/), on any body: the JSON reader with its nesting
// bound, our ingest's strict reader (parse_upload) and its fast path (read_rows_chunk), and
// pytest-monitor's three bodies. None throws; and the fast path takes only what the strict
// readers accept, giving the same upload (rows_chunk_reader.hpp's contract).

#include <blackbox/wire/json_body.hpp>
#include <blackbox/wire/monitor_protocol.hpp>
#include <blackbox/wire/rows_chunk_reader.hpp>
#include <blackbox/wire/run_upload.hpp>

#include "fuzz_input.hpp"

using namespace blackbox;

namespace {

template <typename T>
bool same(const std::optional<T>& a, const std::optional<T>& b) {
    return a.has_value() == b.has_value() && (!a || *a == *b);
}

void check_same_upload(const store::RunUpload& fast, const store::RunUpload& strict) {
    fuzz::check(fast.session_h == strict.session_h && fast.env_h == strict.env_h &&
                    fast.chunk == strict.chunk && fast.chunks == strict.chunks,
                "the fast path reads another run or chunk");
    fuzz::check(!fast.head && !strict.head, "the fast path took a head chunk");
    fuzz::check(
        fast.tests.size() == strict.tests.size() && fast.metrics.size() == strict.metrics.size(),
        "the fast path reads another number of rows");
    for (std::size_t i = 0; i < fast.tests.size(); ++i) {
        const auto &a = fast.tests[i], &b = strict.tests[i];
        fuzz::check(a.nodeid == b.nodeid && a.outcome == b.outcome && same(a.worker, b.worker) &&
                        a.attempt == b.attempt && same(a.start, b.start) &&
                        same(a.setup_s, b.setup_s) && same(a.call_s, b.call_s) &&
                        same(a.teardown_s, b.teardown_s) && same(a.total_s, b.total_s) &&
                        same(a.user_s, b.user_s) && same(a.sys_s, b.sys_s) &&
                        same(a.peak_rss_bytes, b.peak_rss_bytes) && a.peak_exact == b.peak_exact &&
                        same(a.peak_tree_rss_bytes, b.peak_tree_rss_bytes) &&
                        same(a.rss_before_bytes, b.rss_before_bytes) &&
                        same(a.rss_after_bytes, b.rss_after_bytes) &&
                        same(a.retained_bytes, b.retained_bytes) && a.monitored == b.monitored,
                    "the fast path reads a test row differently");
    }
    for (std::size_t i = 0; i < fast.metrics.size(); ++i) {
        const auto &a = fast.metrics[i], &b = strict.metrics[i];
        fuzz::check(a.item == b.item && a.item_path == b.item_path &&
                        a.item_variant == b.item_variant && a.item_fs_loc == b.item_fs_loc &&
                        same(a.item_start_time, b.item_start_time) && a.kind == b.kind &&
                        a.component == b.component && same(a.total_time, b.total_time) &&
                        same(a.user_time, b.user_time) && same(a.kernel_time, b.kernel_time) &&
                        same(a.cpu_usage, b.cpu_usage) && same(a.mem_usage, b.mem_usage) &&
                        a.outcome == b.outcome && a.nodeid == b.nodeid,
                    "the fast path reads a metrics row differently");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = fuzz::as_text(data, size);
    auto json = wire::parse_json_body(body);
    fuzz::check(json.value.has_value() != !json.error.empty(),
                "a JSON body has both or neither a value and an error");
    std::optional<store::RunUpload> strict;
    if (json.value) {
        auto parsed = wire::parse_upload(*json.value);
        fuzz::check(parsed.upload.has_value() != !parsed.error.empty(),
                    "an upload has both or neither a value and an error");
        strict = std::move(parsed.upload);
        (void)wire::parse_monitor_context(*json.value);
        (void)wire::parse_monitor_session(*json.value);
        (void)wire::parse_monitor_metric(*json.value);
    }
    if (auto fast = wire::read_rows_chunk(body)) {
        fuzz::check(strict.has_value(), "the fast path took a body the strict readers refuse");
        check_same_upload(*fast, *strict);
    }
    return 0;
}
