#pragma once

// A run's HTML report as `blackbox push` uploads it (docs/http-api.md): the report's data block
// (report::html_data(), docs/formats/report-html.md) as JSON compressed with gzip, stored as sent
// and served inside the report's page. Checked whole before it is stored, so that every stored
// one renders; read back with only the parts the verdict needs, so that neither costs the
// memory of the whole block as a JSON tree.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace blackbox::wire {

// The largest block accepted, decompressed: a 50,000-test run's is about 20 MiB.
inline constexpr std::size_t kMaxReportJson = 256u << 20;

struct ReportHead {
    std::optional<nlohmann::json> head;  // the block without its per-test arrays and trail
    int status = 0;                      // else the 4xx answer: 413 too large, 422 not a report
    std::string error;
};

// Reads `gzipped` as a report's data block, keeping what its verdict and title need (the page is
// report::html_page of what it keeps and `gzipped`) (`run`,
// `crashes`, `collect_errors`, `left_behind`, `gc`). One at a time: each may decompress to
// kMaxReportJson. Never throws.
ReportHead read_report_head(std::string_view gzipped);

}  // namespace blackbox::wire
