#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/report/html_verdict.hpp>
#include <blackbox/report/text_view.hpp>

namespace blackbox::report {

namespace {

using nlohmann::json;

constexpr std::size_t kShownFrames = 8;  // as the terminal's post-mortem

// The data is read without trusting it (a server renders uploaded reports): a missing field or
// one of another type reads as absent, so any JSON renders and nothing here throws.
const json& field(const json& object, std::string_view key) {
    static const json absent;
    if (!object.is_object()) {
        return absent;
    }
    auto found = object.find(key);
    return found == object.end() ? absent : *found;
}

std::optional<std::string> string_field(const json& object, std::string_view key) {
    const auto& value = field(object, key);
    return value.is_string() ? std::optional(value.get<std::string>()) : std::nullopt;
}

std::optional<std::int64_t> integer_field(const json& object, std::string_view key) {
    const auto& value = field(object, key);
    return value.is_number_integer() || value.is_number_unsigned()
               ? std::optional(value.get<std::int64_t>())
               : std::nullopt;
}

std::optional<double> number_field(const json& object, std::string_view key) {
    const auto& value = field(object, key);
    return value.is_number() ? std::optional(value.get<double>()) : std::nullopt;
}

std::vector<std::string> strings_field(const json& object, std::string_view key) {
    std::vector<std::string> out;
    const auto& value = field(object, key);
    if (value.is_array()) {
        for (const auto& element : value) {
            if (element.is_string()) {
                out.push_back(element.get<std::string>());
            }
        }
    }
    return out;
}

const json& array_field(const json& object, std::string_view key) {
    static const json empty = json::array();
    const auto& value = field(object, key);
    return value.is_array() ? value : empty;
}

// Untrusted text as element content or a quoted attribute's value.
std::string text(std::string_view raw) {
    return base::html_text(raw);
}

std::string size(std::int64_t bytes) {
    return base::format_size(static_cast<std::uint64_t>(std::max<std::int64_t>(bytes, 0)));
}

std::string command_line(const std::vector<std::string>& command) {
    std::string line;
    for (const auto& word : command) {
        if (!line.empty()) {
            line += ' ';
        }
        line += word;
    }
    return line;
}

std::string counts(const json& counts) {
    auto count = [&](std::string_view key) { return integer_field(counts, key).value_or(0); };
    std::string out = "<ul class=\"counts\">";
    out += fmt::format("<li class=\"count-collected\">{} collected</li>", count("collected"));
    for (auto [key, word, css] : {std::tuple{"passed", "passed", "passed"},
                                  {"failed", "failed", "failed"},
                                  {"errors", "errors", "error"},
                                  {"crashed", "crashed", "crashed"},
                                  {"skipped", "skipped", "skipped"},
                                  {"xfailed", "xfailed", "xfailed"},
                                  {"xpassed", "xpassed", "xpassed"},
                                  {"interrupted", "interrupted", "not_run"},
                                  {"not_run", "not run", "not_run"}}) {
        auto n = count(key);
        if (std::string_view(key) == "not_run") {
            n -= std::min(n, count("interrupted"));  // shown as interrupted, not as not run
        }
        if (n > 0) {
            out += fmt::format("<li class=\"count-{}\">{} {}</li>", css, n, word);
        }
    }
    return out + "</ul>";
}

void add_field(std::string& out, std::string_view term, std::string_view raw) {
    out += fmt::format("<dt>{}</dt><dd>{}</dd>", term, text(raw));
}

std::string lines(const std::vector<std::string>& frames, std::size_t from, std::size_t to) {
    std::string out;
    for (auto i = from; i < to; ++i) {
        out += frames[i];
        out += '\n';
    }
    return text(out);
}

// The dying thread's Python frames, innermost first, as the terminal shows them (the test's own
// above pytest's, the rest folded); faulthandler's text when there are no frames.
std::string stack(const json& crash) {
    auto frames = strings_field(crash, "frames");
    if (frames.empty()) {
        auto traceback = string_field(crash, "traceback");
        return traceback ? "<pre class=\"stack\">" + text(*traceback) + "</pre>" : "";
    }
    auto shown = report::own_frames(frames, kShownFrames);
    std::string out = "<pre class=\"stack\">" + lines(frames, 0, shown) + "</pre>";
    if (shown < frames.size()) {
        out += fmt::format(
            "<details class=\"more-frames\"><summary>{} more frames (pytest's own "
            "below)</summary><pre class=\"stack\">{}</pre></details>",
            frames.size() - shown, lines(frames, shown, frames.size()));
    }
    return out;
}

// The native stack the data block carries as text lines (native_view.hpp), under its heading.
std::string native_stack(const json& crash) {
    auto lines = strings_field(crash, "native_lines");
    if (lines.empty()) {
        return "";
    }
    std::string body;
    for (const auto& line : lines) {
        body += line;
        body += '\n';
    }
    return fmt::format(
        "<p class=\"native-heading\">native stack: {}</p><pre class=\"stack "
        "native\">{}</pre>",
        text(string_field(crash, "native_heading").value_or("")), text(body));
}

std::string crash_item(const json& crash, std::size_t index) {
    const bool collateral = field(crash, "collateral") == true;
    std::string out = fmt::format("<li class=\"crash{}\" data-crash=\"{}\">",
                                  collateral ? " collateral" : "", index);
    auto culprit = string_field(crash, "module");
    if (!culprit) {
        culprit = string_field(crash, "nodeid");
    }
    out += "<p class=\"culprit\"><code>" +
           (culprit ? text(*culprit) : std::string("(outside any test)")) + "</code></p><dl>";
    auto phase = string_field(crash, "phase").value_or("");
    auto stage = string_field(crash, "stage").value_or("");
    add_field(out, "phase", stage.empty() ? phase : phase + " (" + stage + ")");
    add_field(out, "cause", string_field(crash, "cause").value_or(""));
    if (auto signal = integer_field(crash, "signal")) {
        add_field(out, "signal",
                  base::signal_name(static_cast<int>(std::clamp<std::int64_t>(*signal, 0, 1'000))));
    } else if (auto code = integer_field(crash, "exit_code")) {
        add_field(out, "exit code", std::to_string(*code));
    }
    if (auto rss = integer_field(crash, "rss_bytes")) {
        add_field(out, "memory at death", size(*rss));
    }
    if (auto fixture = string_field(crash, "fixture")) {
        add_field(out, "fixture", *fixture);
    }
    if (auto worker = string_field(crash, "worker")) {
        add_field(out, "worker", *worker);
    }
    add_field(out, "attempt", std::to_string(integer_field(crash, "attempt").value_or(1)));
    if (collateral) {
        add_field(out, "note", "still running when another process's death ended the run");
    }
    out += "</dl>" + stack(crash) + native_stack(crash) + "</li>";
    return out;
}

std::string memory_line(const json& run) {
    // Without double counting when the trail has it (a forked child's shared pages once).
    auto peak = integer_field(run, "peak_tree_pss_bytes");
    if (!peak) {
        peak = integer_field(run, "peak_tree_rss_bytes");
    }
    if (!peak) {
        return "";  // not sampled
    }
    std::string line = "peak memory of the test tree " + size(*peak);
    if (auto limit = integer_field(run, "limit_bytes")) {
        line += " of a " + size(*limit) + " limit";
    }
    const auto& suspect = field(run, "suspect");
    if (auto nodeid = string_field(suspect, "nodeid")) {
        line += "; the tree grew most during " + *nodeid;
        if (auto growth = integer_field(suspect, "growth_bytes")) {
            line += " (+" + size(*growth) + ")";
        }
        line += ", not the test that died";
    }
    return "<p class=\"memory\">" + text(line) + "</p>";
}

// What the sentinels caught, per kind, and what gc after each test freed; empty without them.
std::string left_behind_list(const json& data) {
    std::string out;
    for (const auto& kind : array_field(data, "left_behind")) {
        auto name = string_field(kind, "kind").value_or("");
        auto count = integer_field(kind, "count").value_or(0);
        out += fmt::format(
            "<li data-kind=\"{}\"><span class=\"kind\">{}</span> left by {} test{}:", text(name),
            text(string_field(kind, "title").value_or(name)), count, count == 1 ? "" : "s");
        out += "<ul>";
        std::int64_t listed = 0;
        for (const auto& leaker : array_field(kind, "tests")) {
            out += "<li><code>" + text(string_field(leaker, "nodeid").value_or("")) + "</code> " +
                   text(string_field(leaker, "left").value_or("")) + "</li>";
            ++listed;
        }
        if (count > listed) {
            out += fmt::format("<li>… {} more</li>", count - listed);
        }
        out += "</ul></li>";
    }
    if (const auto& gc = field(data, "gc"); gc.is_object()) {
        auto line = fmt::format("gc after each test freed {} over {} tests ({} objects, {:.3f} s)",
                                size(integer_field(gc, "freed_bytes").value_or(0)),
                                integer_field(gc, "tests").value_or(0),
                                integer_field(gc, "objects").value_or(0),
                                number_field(gc, "seconds").value_or(0));
        if (auto most = string_field(gc, "most")) {
            line += "; most after " + *most;
        }
        out += "<li class=\"gc\">" + text(line) + "</li>";
    }
    return out.empty() ? out : "<ul class=\"left-behind\">" + out + "</ul>";
}

}  // namespace

std::string html_verdict(const json& data) {
    const auto& run = field(data, "run");
    auto status = string_field(run, "status").value_or("unknown");
    std::string out = fmt::format("<header id=\"verdict\" class=\"status-{}\">", text(status));
    out += fmt::format("<h1><span class=\"status\">{}</span> <span class=\"run-id\">{}</span></h1>",
                       text(status), text(string_field(run, "id").value_or("")));
    out += "<p class=\"command\"><code>" + text(command_line(strings_field(run, "command"))) +
           "</code></p>";
    out += counts(field(run, "counts"));
    out += memory_line(run);
    const auto& crashes = array_field(data, "crashes");
    if (!crashes.empty()) {
        out += "<ol class=\"crashes\">";
        for (std::size_t i = 0; i < crashes.size(); ++i) {
            out += crash_item(crashes[i], i);
        }
        out += "</ol>";
    }
    for (const auto& stopped : strings_field(run, "recording_stopped")) {
        out += "<p class=\"recording-stopped\">recording stopped in " + text(stopped) +
               "; that process's tests are missing from these records</p>";
    }
    out += left_behind_list(data);
    const auto& errors = array_field(data, "collect_errors");
    if (!errors.empty()) {
        out += "<ul class=\"collect-errors\">";
        for (const auto& error : errors) {
            out += "<li>could not collect <code>" +
                   text(string_field(error, "nodeid").value_or("")) + "</code></li>";
        }
        out += "</ul>";
    }
    return out + "</header>";
}

}  // namespace blackbox::report
