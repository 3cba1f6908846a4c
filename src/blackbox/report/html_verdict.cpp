#include <algorithm>

#include <fmt/format.h>

#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/postmortem/left_behind.hpp>
#include <blackbox/postmortem/text_view.hpp>
#include <blackbox/report/html_verdict.hpp>

namespace blackbox::report {

namespace {

using postmortem::Crash;
using postmortem::RunModel;

constexpr std::size_t kShownFrames = 8;  // as the terminal's post-mortem

// Untrusted text as element content or a quoted attribute's value.
std::string text(std::string_view raw) {
    return base::html_escape(base::valid_utf8(raw));
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

void add_count(std::string& out, std::size_t count, std::string_view word, std::string_view css) {
    if (count > 0) {
        out += fmt::format("<li class=\"count-{}\">{} {}</li>", css, count, word);
    }
}

std::string counts(const postmortem::Counts& counts) {
    std::string out = "<ul class=\"counts\">";
    out += fmt::format("<li class=\"count-collected\">{} collected</li>", counts.collected);
    add_count(out, counts.passed, "passed", "passed");
    add_count(out, counts.failed, "failed", "failed");
    add_count(out, counts.errors, "errors", "error");
    add_count(out, counts.crashed, "crashed", "crashed");
    add_count(out, counts.skipped, "skipped", "skipped");
    add_count(out, counts.xfailed, "xfailed", "xfailed");
    add_count(out, counts.xpassed, "xpassed", "xpassed");
    add_count(out, counts.not_run, "not run", "not_run");
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
std::string stack(const Crash& crash) {
    if (crash.frames.empty()) {
        return crash.traceback ? "<pre class=\"stack\">" + text(*crash.traceback) + "</pre>" : "";
    }
    auto shown = postmortem::own_frames(crash.frames, kShownFrames);
    std::string out = "<pre class=\"stack\">" + lines(crash.frames, 0, shown) + "</pre>";
    if (shown < crash.frames.size()) {
        out += fmt::format(
            "<details class=\"more-frames\"><summary>{} more frames (pytest's own "
            "below)</summary><pre class=\"stack\">{}</pre></details>",
            crash.frames.size() - shown, lines(crash.frames, shown, crash.frames.size()));
    }
    return out;
}

std::string crash_item(const Crash& crash, std::size_t index) {
    std::string out = fmt::format("<li class=\"crash{}\" data-crash=\"{}\">",
                                  crash.collateral ? " collateral" : "", index);
    auto culprit = crash.module ? crash.module : crash.nodeid;
    out += "<p class=\"culprit\"><code>" +
           (culprit ? text(*culprit) : std::string("(outside any test)")) + "</code></p><dl>";
    add_field(out, "phase",
              crash.stage.empty() ? crash.phase : crash.phase + " (" + crash.stage + ")");
    add_field(out, "cause", crash.cause);
    if (crash.signal) {
        add_field(out, "signal", base::signal_name(*crash.signal));
    } else if (crash.exit_code) {
        add_field(out, "exit code", std::to_string(*crash.exit_code));
    }
    if (crash.rss_bytes) {
        add_field(out, "memory at death",
                  base::format_size(static_cast<std::uint64_t>(*crash.rss_bytes)));
    }
    if (crash.fixture) {
        add_field(out, "fixture", *crash.fixture);
    }
    if (crash.worker) {
        add_field(out, "worker", *crash.worker);
    }
    add_field(out, "attempt", std::to_string(crash.attempt));
    if (crash.collateral) {
        add_field(out, "note", "still running when another process's death ended the run");
    }
    out += "</dl>" + stack(crash) + "</li>";
    return out;
}

std::string memory_line(const RunModel& run) {
    if (!run.memory.sampled) {
        return "";
    }
    std::string line = "peak memory of the test tree " +
                       base::format_size(static_cast<std::uint64_t>(run.memory.peak_tree_rss));
    if (run.memory.limit) {
        line +=
            " of a " + base::format_size(static_cast<std::uint64_t>(*run.memory.limit)) + " limit";
    }
    if (run.memory.suspect) {
        const auto& suspect = run.tests[*run.memory.suspect];
        line += "; the tree grew most during " + suspect.nodeid;
        if (suspect.tree_rss_growth_bytes) {
            line += " (+" +
                    base::format_size(static_cast<std::uint64_t>(*suspect.tree_rss_growth_bytes)) +
                    ")";
        }
        line += ", not the test that died";
    }
    return "<p class=\"memory\">" + text(line) + "</p>";
}

constexpr std::size_t kLeakersShown = 10;  // per kind; the JSON report lists them all

// What the sentinels caught, per kind, and what gc after each test freed; empty without them.
std::string left_behind_list(const RunModel& run) {
    std::string out;
    for (const auto& kind : postmortem::left_behind(run)) {
        out += fmt::format("<li data-kind=\"{}\"><span class=\"kind\">{}</span> left by {} test{}:",
                           text(kind.kind), text(postmortem::leftover_title(kind.kind)),
                           kind.tests.size(), kind.tests.size() == 1 ? "" : "s");
        out += "<ul>";
        for (std::size_t i = 0; i < kind.tests.size() && i < kLeakersShown; ++i) {
            const auto& leaker = kind.tests[i];
            out += "<li><code>" + text(run.tests[leaker.test].nodeid) + "</code> " +
                   text(postmortem::leftover_summary(*leaker.left)) + "</li>";
        }
        if (kind.tests.size() > kLeakersShown) {
            out += fmt::format("<li>… {} more</li>", kind.tests.size() - kLeakersShown);
        }
        out += "</ul></li>";
    }
    if (auto gc = postmortem::gc_totals(run)) {
        auto line = fmt::format("gc after each test freed {} over {} tests ({} objects, {:.3f} s)",
                                base::format_size(static_cast<std::uint64_t>(
                                    std::max<std::int64_t>(gc->freed_bytes, 0))),
                                gc->tests, gc->objects, gc->seconds);
        if (gc->most) {
            line += "; most after " + run.tests[*gc->most].nodeid;
        }
        out += "<li class=\"gc\">" + text(line) + "</li>";
    }
    return out.empty() ? out : "<ul class=\"left-behind\">" + out + "</ul>";
}

}  // namespace

std::string html_verdict(const RunModel& run) {
    std::string out = fmt::format("<header id=\"verdict\" class=\"status-{}\">", text(run.status));
    out += fmt::format("<h1><span class=\"status\">{}</span> <span class=\"run-id\">{}</span></h1>",
                       text(run.status), text(run.id));
    out += "<p class=\"command\"><code>" + text(command_line(run.command)) + "</code></p>";
    out += counts(run.counts);
    out += memory_line(run);
    if (!run.crashes.empty()) {
        out += "<ol class=\"crashes\">";
        for (std::size_t i = 0; i < run.crashes.size(); ++i) {
            out += crash_item(run.crashes[i], i);
        }
        out += "</ol>";
    }
    for (const auto& stopped : run.recording_stopped) {
        out += "<p class=\"recording-stopped\">recording stopped in " + text(stopped) +
               "; that process's tests are missing from these records</p>";
    }
    out += left_behind_list(run);
    if (!run.collect_errors.empty()) {
        out += "<ul class=\"collect-errors\">";
        for (const auto& error : run.collect_errors) {
            out += "<li>could not collect <code>" + text(error.nodeid) + "</code></li>";
        }
        out += "</ul>";
    }
    return out + "</header>";
}

}  // namespace blackbox::report
