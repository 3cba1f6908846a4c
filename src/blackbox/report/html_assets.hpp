#pragma once

// The HTML report's front-end, embedded at build time from web/ (cmake/EmbedAssets.cmake): the
// page template with its @@PLACEHOLDERS@@, the report's CSS and script, and uPlot's (from the
// npm registry, pinned in web/package-lock.json). Exact bytes: the page's CSP hashes the scripts.

#include <string_view>

namespace blackbox::report::assets {

extern const std::string_view page_template;
extern const std::string_view report_css;
extern const std::string_view report_js;
extern const std::string_view uplot_css;
extern const std::string_view uplot_js;

}  // namespace blackbox::report::assets
