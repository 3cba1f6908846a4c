#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/postmortem/interruption.hpp>
#include <blackbox/postmortem/left_behind.hpp>
#include <blackbox/postmortem/rerun_command.hpp>
#include <blackbox/postmortem/sessions.hpp>
#include <blackbox/report/markdown_report.hpp>
#include <blackbox/report/native_view.hpp>

namespace blackbox::report {

namespace {

using postmortem::RunModel;
using postmortem::TestResult;

std::string size(std::int64_t bytes) {
    return base::format_size(static_cast<std::uint64_t>(std::max<std::int64_t>(bytes, 0)));
}

std::string status_line(const RunModel& run) {
    static const std::pair<const char*, const char*> kIcons[] = {
        {"passed", "✅"},     {"failed", "❌"},     {"crashed", "💥"}, {"interrupted", "⏹️"},
        {"error", "⚠️"}, {"incomplete", "❓"}, {"running", "⏳"}};
    const char* icon = "";
    for (const auto& [status, glyph] : kIcons) {
        if (run.status == status) {
            icon = glyph;
        }
    }
    const auto& c = run.counts;
    // A test the user's stop caught running is counted as interrupted, not as not run.
    const auto interrupted = std::min(c.interrupted, c.not_run);
    return fmt::format(
        "{} **{}** — {} collected: {} passed, {} failed, {} skipped, {} xfailed, {} xpassed, {} "
        "errors, {} crashed, {}{} not run",
        icon, run.status, c.collected, c.passed, c.failed, c.skipped, c.xfailed, c.xpassed,
        c.errors, c.crashed,
        interrupted != 0 ? fmt::format("{} interrupted, ", interrupted) : std::string(),
        c.not_run - interrupted);
}

std::string crash_row(const postmortem::Crash& crash, const RunModel& run) {
    std::string culprit = crash.phase == "collect" ? crash.module.value_or("?")
                                                   : crash.nodeid.value_or("(outside any test)");
    std::string death = crash.cause;
    if (crash.signal) {
        death += " (" + base::signal_name(*crash.signal) + ")";
    } else if (crash.exit_code) {
        death += fmt::format(" (exit code {})", *crash.exit_code);
    }
    std::string where = crash.frames.empty() ? std::string() : crash.frames.front();
    for (const auto& frame : crash.frames) {
        if (frame.find("/_pytest/") == std::string::npos &&
            frame.find("/pluggy/") == std::string::npos &&
            frame.find("/ctypes/") == std::string::npos) {
            where = frame;
            break;
        }
    }
    return fmt::format("| {}{} | {} | {} | {} | {} | {} |", code_span(culprit),
                       postmortem::session_suffix(run.sessions, crash.session), crash.phase, death,
                       crash.rss_bytes ? size(*crash.rss_bytes) : "–",
                       crash.worker ? code_span(*crash.worker) : "–",
                       where.empty() ? "–" : code_span(where));
}

// What a test added: the larger of its process's peak over its RSS at the start and its tree's
// peak over the tree at the start (without double counting); 0 when neither is known.
// What the test added in its own process (its peak over its RSS at the start); 0 unknown.
std::int64_t process_added_bytes(const TestResult& test) {
    return test.peak_rss_bytes && test.rss_before_bytes
               ? std::max<std::int64_t>(*test.peak_rss_bytes - *test.rss_before_bytes, 0)
               : 0;
}

std::int64_t added_bytes(const TestResult& test) {
    return std::max(process_added_bytes(test), test.tree_pss_added_bytes.value_or(0));
}

// Whether what the test added is its tree's, estimated from RSS (tree_pss_from_rss).
bool estimated_from_rss(const TestResult& test) {
    return test.tree_pss_from_rss &&
           test.tree_pss_added_bytes.value_or(0) > process_added_bytes(test);
}

// The tree's peak without double counting; "≤ …" when estimated from RSS (tree_pss_from_rss).
std::string tree_peak(const TestResult& test) {
    if (!test.peak_tree_pss_bytes) {
        return "–";
    }
    return fmt::format("{}{}", test.tree_pss_from_rss ? "≤ " : "", size(*test.peak_tree_pss_bytes));
}

template <typename Key>
std::vector<const TestResult*> top_tests(const RunModel& run, std::size_t count, Key key) {
    std::vector<const TestResult*> tests;
    for (const auto& test : run.tests) {
        if (key(test) > 0) {
            tests.push_back(&test);
        }
    }
    auto middle = tests.begin() + static_cast<std::ptrdiff_t>(std::min(count, tests.size()));
    std::partial_sort(tests.begin(), middle, tests.end(),
                      [&](const TestResult* a, const TestResult* b) { return key(*a) > key(*b); });
    tests.erase(middle, tests.end());
    return tests;
}

// "### Left behind": per kind, the tests the sentinels caught (at most `top`), and what gc after
// each test freed.
std::string left_behind_section(const RunModel& run, std::size_t top) {
    auto kinds = postmortem::left_behind(run);
    auto gc = postmortem::gc_totals(run);
    if (kinds.empty() && !gc) {
        return "";
    }
    std::string out = "### Left behind\n\n";
    if (!kinds.empty()) {
        out += "| kind | tests | test | left |\n|---|---|---|---|\n";
        for (const auto& kind : kinds) {
            for (std::size_t i = 0; i < kind.tests.size() && i < top; ++i) {
                const auto& leaker = kind.tests[i];
                out += fmt::format("| {} | {} | {} | {} |\n",
                                   i == 0 ? postmortem::leftover_title(kind.kind) : "",
                                   i == 0 ? std::to_string(kind.tests.size()) : "",
                                   code_span(run.tests[leaker.test].nodeid),
                                   code_span(postmortem::leftover_summary(*leaker.left)));
            }
        }
        out += "\n";
    }
    if (gc) {
        out += fmt::format("gc after each test freed {} over {} tests ({} objects, {:.3f} s)",
                           size(gc->freed_bytes), gc->tests, gc->objects, gc->seconds);
        if (gc->most) {
            const auto& test = run.tests[*gc->most];
            out += fmt::format("; most after {} ({})", code_span(test.nodeid),
                               size(test.after->gc_freed_bytes.value_or(0)));
        }
        out += ".\n\n";
    }
    return out;
}

}  // namespace

std::string code_span(std::string_view text) {
    // Control characters and bytes that are not UTF-8 written visibly: a summary is read in
    // terminals and CI logs as well as rendered; one line, as a table cell needs.
    std::string clean = base::terminal_text(text);
    // A pipe ends a table cell even inside a code span (GitHub) unless escaped.
    std::string escaped;
    for (char c : clean) {
        if (c == '|') {
            escaped += "\\|";
        } else {
            escaped += c;
        }
    }
    std::size_t longest = 0, run = 0;
    for (char c : escaped) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    std::string fence(longest + 1, '`');
    bool pad = !escaped.empty() && (escaped.front() == '`' || escaped.back() == '`');
    return fence + (pad ? " " : "") + escaped + (pad ? " " : "") + fence;
}

namespace {

// A crash's native stack, folded away: "<details>" and a fenced block that no backtick run in
// the frames (paths, names) can close.
std::string native_details(const postmortem::Crash& crash) {
    auto lines = native_block(crash, kNativeLines);
    if (lines.empty()) {
        return "";
    }
    std::string body;
    std::size_t longest = 0;
    for (const auto& line : lines) {
        body += base::terminal_text(line) + "\n";
    }
    for (std::size_t i = 0, run_length = 0; i < body.size(); ++i) {
        run_length = body[i] == '`' ? run_length + 1 : 0;
        longest = std::max(longest, run_length);
    }
    std::string fence(std::max<std::size_t>(3, longest + 1), '`');
    std::string culprit = crash.module.value_or(crash.nodeid.value_or("(outside any test)"));
    return fmt::format(
        "<details><summary>Native stack of <code>{}</code>: {}</summary>\n\n{}text\n{}{}\n\n"
        "</details>\n\n",
        base::html_escape(base::terminal_text(culprit)),
        base::html_escape(base::terminal_text(native_heading(crash))), fence, body, fence);
}

}  // namespace

std::string markdown_summary(const RunModel& run, const MarkdownOptions& options) {
    const std::size_t top = options.top;
    std::string out = "## pytest-blackbox\n\n" + status_line(run) + "\n\n";
    for (const auto& stopped : run.recording_stopped) {
        out += fmt::format("⚠️ Recording stopped in {}: that process's tests are missing.\n\n",
                           code_span(stopped));
    }
    if (!run.crashes.empty()) {
        out +=
            "### Crashes\n\n| test | phase | cause | memory | worker | where |\n"
            "|---|---|---|---|---|---|\n";
        for (const auto& crash : run.crashes) {
            out += crash_row(crash, run) + "\n";
        }
        out += "\n";
        for (const auto& crash : run.crashes) {
            out += native_details(crash);
        }
        if (run.memory.suspect) {
            const auto& test = run.tests[*run.memory.suspect];
            out +=
                fmt::format("Suspect: {} grew its process tree by {} before the crash.\n\n",
                            code_span(test.nodeid), size(test.tree_pss_growth_bytes.value_or(0)));
        }
    }
    if (!run.interruptions.empty()) {
        out += "### Interrupted\n\nRunning when the run was stopped (no outcome of their own):\n\n";
        for (const auto& interruption : run.interruptions) {
            out += fmt::format("- {}{}: {}\n", code_span(interruption.nodeid),
                               postmortem::session_suffix(run.sessions, interruption.session),
                               code_span(postmortem::describe_interruption(interruption)));
        }
        out += "\n";
    }
    auto slowest = top_tests(run, top, [](const TestResult& t) { return t.duration_s(); });
    if (!slowest.empty()) {
        out += "### Slowest tests\n\n| test | duration | outcome |\n|---|---|---|\n";
        for (const auto* test : slowest) {
            out += fmt::format("| {}{} | {:.2f} s | {} |\n", code_span(test->nodeid),
                               postmortem::session_suffix(run.sessions, test->session),
                               test->duration_s(), test->outcome);
        }
        out += "\n";
    }
    const auto hungry_from = options.hungry_from;
    auto hungriest = top_tests(run, top, [hungry_from](const TestResult& t) {
        auto added = added_bytes(t);
        return added >= hungry_from ? static_cast<double>(added) : 0.0;
    });
    if (!hungriest.empty()) {
        out += fmt::format(
            "### Most memory-hungry tests\n\nWhat each test added (its peak over its start; "
            "from {}): in its process, and in its process tree counting a shared page once{}.\n\n"
            "| test | added | process peak | tree peak | outcome |\n|---|---|---|---|---|\n",
            size(hungry_from),
            std::any_of(hungriest.begin(), hungriest.end(),
                        [](const TestResult* test) { return test->tree_pss_from_rss; })
                ? " (≤: at most, from the RSS of a child that came or grew between two PSS reads)"
                : "");
        for (const auto* test : hungriest) {
            out += fmt::format("| {} | {}+{} | {} | {} | {} |\n", code_span(test->nodeid),
                               estimated_from_rss(*test) ? "≤ " : "", size(added_bytes(*test)),
                               test->peak_rss_bytes ? size(*test->peak_rss_bytes) : "–",
                               tree_peak(*test), test->outcome);
        }
        out += "\n";
    }
    out += left_behind_section(run, top);
    return out;
}

void write_markdown_file(const RunModel& run, const std::filesystem::path& path, bool append,
                         const MarkdownOptions& options) {
    auto text = markdown_summary(run, options);
    if (!append) {
        base::write_file_atomically(path, text);
        return;
    }
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << text;
    if (!out.flush()) {
        throw Error(fmt::format("cannot append to {}", path.string()));
    }
}

}  // namespace blackbox::report
