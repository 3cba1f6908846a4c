#pragma once

// The fields of an upload's test and metrics rows, with their bounds, in one place: read by the
// strict reader (FieldReader over nlohmann's tree, run_upload.cpp) and by the ingest's fast path
// (its simdjson reader, rows_chunk_reader.cpp). Both readers offer the same calls (text,
// optional_text, integer, optional_integer, optional_number, boolean, keyed by name), so the two
// paths cannot come to accept different rows. The caller checks the reader's ok() afterwards.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include <blackbox/store/run_rows.hpp>
#include <blackbox/wire/field_ranges.hpp>

namespace blackbox::wire {

// Every key read_test_row reads (the fast path scans an object once for these).
inline constexpr auto kTestRowKeys = std::to_array<std::string_view>({"nodeid",
                                                                      "outcome",
                                                                      "worker",
                                                                      "attempt",
                                                                      "start",
                                                                      "setup_s",
                                                                      "call_s",
                                                                      "teardown_s",
                                                                      "total_s",
                                                                      "user_s",
                                                                      "sys_s",
                                                                      "peak_rss_bytes",
                                                                      "peak_exact",
                                                                      "peak_tree_rss_bytes",
                                                                      "rss_before_bytes",
                                                                      "rss_after_bytes",
                                                                      "retained_bytes",
                                                                      "monitored",
                                                                      "reruns",
                                                                      "main_cpu_s",
                                                                      "run_delay_s"});

template <typename Reader>
store::TestRow read_test_row(Reader& in) {
    store::TestRow row;
    row.nodeid = in.text("nodeid");
    row.outcome = in.text("outcome", 16);
    row.worker = in.optional_text("worker", 64);
    row.attempt = static_cast<int>(std::clamp<std::int64_t>(in.integer("attempt"), 0, 1'000'000));
    row.start = in.optional_text("start", 64);
    row.setup_s = optional_seconds(in, "setup_s");
    row.call_s = optional_seconds(in, "call_s");
    row.teardown_s = optional_seconds(in, "teardown_s");
    row.total_s = optional_seconds(in, "total_s");
    row.user_s = optional_seconds(in, "user_s");
    row.sys_s = optional_seconds(in, "sys_s");
    row.peak_rss_bytes = optional_count(in, "peak_rss_bytes");
    row.peak_exact = in.boolean("peak_exact");
    row.peak_tree_rss_bytes = optional_count(in, "peak_tree_rss_bytes");
    row.rss_before_bytes = optional_count(in, "rss_before_bytes");
    row.rss_after_bytes = optional_count(in, "rss_after_bytes");
    row.retained_bytes = optional_byte_difference(in, "retained_bytes");
    row.monitored = in.boolean("monitored");
    row.main_cpu_s = optional_seconds(in, "main_cpu_s");
    row.run_delay_s = optional_seconds(in, "run_delay_s");
    row.reruns = optional_count(in, "reruns").value_or(0);  // absent from older clients' rows
    return row;
}

// Every key read_metrics_row reads.
inline constexpr auto kMetricsRowKeys = std::to_array<std::string_view>(
    {"item_start_time", "item_path", "item", "item_variant", "item_fs_loc", "kind", "component",
     "total_time", "user_time", "kernel_time", "cpu_usage", "mem_usage", "outcome", "nodeid"});

template <typename Reader>
store::MetricsRow read_metrics_row(Reader& in) {
    store::MetricsRow row;
    row.item_start_time = in.optional_text("item_start_time", 64);
    row.item_path = in.text("item_path");
    row.item = in.text("item", 2096);
    row.item_variant = in.text("item_variant", 2048);
    row.item_fs_loc = in.text("item_fs_loc", 2048);
    row.kind = in.text("kind", 64);
    row.component = in.text("component", 512);
    row.total_time = optional_measure(in, "total_time");
    row.user_time = optional_measure(in, "user_time");
    row.kernel_time = optional_measure(in, "kernel_time");
    row.cpu_usage = optional_measure(in, "cpu_usage");
    row.mem_usage = optional_measure(in, "mem_usage");
    row.outcome = in.text("outcome", 16);
    row.nodeid = in.text("nodeid");
    return row;
}

}  // namespace blackbox::wire
