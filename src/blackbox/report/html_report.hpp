#pragma once

// The self-contained HTML report (docs/formats/report-html.md): the embedded page template
// filled with the verdict, the run's data (gzip + base64) and the front-end, under a
// Content-Security-Policy that allows exactly the page's own two scripts.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

// `page` with every "@@NAME@@" whose NAME is a key of `values` replaced by its value, in one
// pass (a value is never scanned for placeholders); other text, unknown names included, is kept.
std::string fill_template(std::string_view page,
                          const std::map<std::string, std::string, std::less<>>& values);

// The Content-Security-Policy of a page whose only scripts are `scripts`, by their SHA-256.
std::string content_security_policy(std::initializer_list<std::string_view> scripts);

// The whole page for a report's data block (html_data()), `gzipped` being report_data_gzip() of
// it: what a server that stores only the block serves. Any JSON renders; nothing throws.
std::string html_page(const nlohmann::json& data, std::string_view gzipped);

// The data block's JSON, gzip-compressed at `level` (invalid UTF-8 replaced).
std::string report_data_gzip(const nlohmann::json& data, int level);

// The whole page for `run`, whose memory trail is `samples`.
std::string html_report(const postmortem::RunModel& run, const std::filesystem::path& samples);

// html_report() of the run's own trail, written atomically to `path`. Throws Error when it
// cannot be written.
void write_html_file(const postmortem::RunModel& run, const std::filesystem::path& path);

}  // namespace blackbox::report
