#include <fmt/format.h>

#include <blackbox/base/base64.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/gzip.hpp>
#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/report/html_assets.hpp>
#include <blackbox/report/html_data.hpp>
#include <blackbox/report/html_report.hpp>
#include <blackbox/report/html_verdict.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::report {

std::string fill_template(std::string_view page,
                          const std::map<std::string, std::string, std::less<>>& values) {
    std::string out;
    out.reserve(page.size());
    std::size_t at = 0;
    while (at < page.size()) {
        auto open = page.find("@@", at);
        if (open == std::string_view::npos) {
            break;
        }
        auto close = page.find("@@", open + 2);
        if (close == std::string_view::npos) {
            break;
        }
        auto found = values.find(page.substr(open + 2, close - open - 2));
        if (found == values.end()) {
            out.append(page.substr(at, open + 2 - at));  // not ours: keep, look again after it
            at = open + 2;
            continue;
        }
        out.append(page.substr(at, open - at));
        out += found->second;
        at = close + 2;
    }
    out.append(page.substr(std::min(at, page.size())));
    return out;
}

std::string content_security_policy(std::initializer_list<std::string_view> scripts) {
    std::string sources;
    for (auto script : scripts) {
        sources += fmt::format(" 'sha256-{}'", base::base64(base::sha256(script)));
    }
    // No connections, frames, forms or plugins: the page needs nothing from anywhere.
    return fmt::format(
        "default-src 'none'; script-src{}; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'",
        sources);
}

std::string html_page(const nlohmann::json& data, std::string_view gzipped) {
    const auto& run =
        data.is_object() ? data.value("run", nlohmann::json::object()) : nlohmann::json::object();
    auto word = [&](const char* key) {
        auto found = run.find(key);
        return found != run.end() && found->is_string() ? found->get<std::string>() : "";
    };
    auto title = fmt::format("blackbox: {} — {}", word("status"), word("id"));
    std::map<std::string, std::string, std::less<>> values{
        {"CSP", content_security_policy({assets::uplot_js, assets::report_js})},
        {"TITLE", base::html_text(title)},
        {"UPLOT_CSS", std::string(assets::uplot_css)},
        {"REPORT_CSS", std::string(assets::report_css)},
        {"VERDICT", html_verdict(data)},
        {"DATA", base::base64(gzipped)},
        {"UPLOT_JS", std::string(assets::uplot_js)},
        {"REPORT_JS", std::string(assets::report_js)},
    };
    return fill_template(assets::page_template, values);
}

std::string report_data_gzip(const nlohmann::json& data, int level) {
    return base::gzip(base::json_text(data), level);
}

std::string html_report(const postmortem::RunModel& run, const std::filesystem::path& samples) {
    auto data = html_data(run, samples);
    // Level 1: on a 50,000-test run a sixth of level 6's time, for 10% more bytes.
    return html_page(data, report_data_gzip(data, 1));
}

void write_html_file(const postmortem::RunModel& run, const std::filesystem::path& path) {
    base::write_file_atomically(path, html_report(run, run.dir / rundir::kSamplesFile));
}

}  // namespace blackbox::report
