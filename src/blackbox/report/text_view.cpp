#include <algorithm>
#include <csignal>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/postmortem/interruption.hpp>
#include <blackbox/postmortem/left_behind.hpp>
#include <blackbox/postmortem/rerun_command.hpp>
#include <blackbox/report/native_view.hpp>
#include <blackbox/report/text_view.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::report {

namespace {

using postmortem::Counts;
using postmortem::Crash;
using postmortem::leftover_summary;
using postmortem::leftover_title;
using postmortem::RunModel;

// Untrusted text (node ids, file names, output, tracebacks) as one line a terminal shows as is.
std::string inert(std::string_view text) {
    return base::terminal_text(text);
}

struct Style {
    bool color;
    std::string paint(std::string_view code, std::string_view text) const {
        return color ? fmt::format("\033[{}m{}\033[0m", code, text) : std::string(text);
    }
    std::string bold(std::string_view text) const { return paint("1", text); }
    std::string red(std::string_view text) const { return paint("1;31", text); }
    std::string green(std::string_view text) const { return paint("1;32", text); }
    std::string yellow(std::string_view text) const { return paint("1;33", text); }
};

std::string status_word(const RunModel& run, const Style& style) {
    if (run.status == "passed") {
        return style.green("passed");
    }
    if (run.status == "crashed" || run.status == "failed") {
        return style.red(run.status);
    }
    return style.yellow(run.status);
}

std::string death_of(const Crash& crash) {
    std::string what = crash.cause;
    if (crash.signal) {
        what += " (" + base::signal_name(*crash.signal) + ")";
    } else if (crash.exit_code) {
        what += fmt::format(" (exit code {})", *crash.exit_code);
    }
    return what;
}

std::string culprit_of(const Crash& crash) {
    if (crash.phase == "collect") {
        return fmt::format("pytest died while collecting {}", inert(crash.module.value_or("?")));
    }
    if (crash.stage == "startup") {
        return "pytest died while starting, before its tests ran";
    }
    if (crash.stage == "between_tests") {
        return "pytest died between two tests";
    }
    if (crash.stage == "shutdown") {
        return "pytest died at exit, after its session";
    }
    if (crash.phase == "session" || !crash.nodeid) {
        return "pytest died outside any test";
    }
    return fmt::format("{} died in {}", inert(*crash.nodeid), crash.phase);
}

std::string size(std::int64_t bytes) {
    return bytes < 0 ? "-" + base::format_size(static_cast<std::uint64_t>(-bytes))
                     : base::format_size(static_cast<std::uint64_t>(bytes));
}

// "tree 301 MiB at the last sample (limit 300 MiB), +120 MiB in its last 2.0 s; MemAvailable 21
// GiB": the memory at death and its trend.
std::string memory_line(const RunModel& run, const Crash& crash) {
    std::string line = fmt::format("{} at the last sample", size(*crash.rss_bytes));
    if (run.memory.limit) {
        line += fmt::format(" (limit {})", size(*run.memory.limit));
    }
    if (crash.memory_before && crash.memory_at && crash.memory_at->ns > crash.memory_before->ns) {
        const auto& before = *crash.memory_before;
        const auto& at = *crash.memory_at;
        auto growth = at.tree_rss - before.tree_rss;
        line +=
            fmt::format("; the whole tree {}{} over the {:.1f} s before", growth >= 0 ? "+" : "",
                        size(growth), static_cast<double>(at.ns - before.ns) / 1e9);
        if (at.available) {
            line += fmt::format("; MemAvailable {}", size(*at.available));
        }
    }
    return line;
}

std::vector<std::string> last_lines(std::string_view text, std::size_t count) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    std::vector<std::string> lines;
    while (!text.empty() && lines.size() < count) {
        auto newline = text.rfind('\n');
        auto line = newline == std::string_view::npos ? text : text.substr(newline + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        lines.insert(lines.begin(), inert(line.substr(0, 200)));
        text = newline == std::string_view::npos ? std::string_view() : text.substr(0, newline);
    }
    return lines;
}

// The native stacks: the crashing thread's, or every thread's of a dump on request.
void append_native(std::string& out, const Crash& crash, const TextOptions& options) {
    if (!crash.native) {
        return;
    }
    out += fmt::format("  native    {}\n", inert(native_heading(crash)));
    for (const auto& line : native_block(crash, options.max_frames)) {
        out += fmt::format("    {}\n", inert(line));
    }
}

void append_crash(std::string& out, const Crash& crash, const RunModel& run,
                  const TextOptions& options, const Style& style) {
    out += fmt::format("{} {}: {}\n", style.red("crash"), culprit_of(crash),
                       style.bold(death_of(crash)));
    if (run.sessions > 1) {
        // A command that ran pytest more than once: which of its sessions died.
        out += fmt::format("  session   {} of {}\n", crash.session + 1, run.sessions);
    }
    if (crash.worker) {
        out += fmt::format("  worker    {}\n", inert(*crash.worker));
    }
    if (crash.fixture) {
        out += fmt::format("  fixture   {}\n", inert(*crash.fixture));
    }
    if (crash.attempt > 1) {
        out += fmt::format("  attempt   {}\n", crash.attempt);
    }
    out += fmt::format("  evidence  {}\n", inert(crash.evidence));
    if (crash.rss_bytes) {
        out += fmt::format("  memory    {}\n", memory_line(run, crash));
    }
    if (!crash.frames.empty()) {
        out += "  stack     (most recent call first)\n";
        std::size_t shown = own_frames(crash.frames, options.max_frames);
        for (std::size_t i = 0; i < shown; ++i) {
            out += fmt::format("    {}\n", inert(crash.frames[i]));
        }
        if (crash.frames.size() > shown) {
            out += fmt::format("    … {} more frames (pytest's own below)\n",
                               crash.frames.size() - shown);
        }
    } else if (crash.signal == SIGKILL) {
        out += "  stack     none (SIGKILL leaves no Python stack)\n";
    } else if (crash.cause == "exit") {
        out += "  stack     none (the process exited; it did not fault)\n";
    } else {
        out += "  stack     none recorded\n";
    }
    append_native(out, crash, options);
    for (const auto& [label, text] :
         {std::pair{"stdout", &crash.captured_stdout}, std::pair{"stderr", &crash.captured_stderr},
          std::pair{"log   ", &crash.captured_log}}) {
        if (*text && !(*text)->empty()) {
            out += fmt::format("  {}    (last lines printed before the death)\n", label);
            for (const auto& line : last_lines(**text, 5)) {
                out += fmt::format("    {}\n", line);
            }
        }
    }
    auto target = crash.module ? crash.module : crash.nodeid;
    if (target && crash.phase != "session") {
        out += fmt::format("  re-run    {}\n",
                           inert(rerun_command(run, *target, crash.attempt, crash.session)));
    }
}

constexpr std::size_t kLeakersShown = 5;  // per kind; `show --json` lists them all

// "left behind  file descriptors, 2 tests: t.py::a (1: 7 -> /tmp/x), t.py::b (2)": the tests
// the sentinels caught, one line per kind.
void append_left_behind(std::string& out, const RunModel& run, const Style& style) {
    for (const auto& kind : left_behind(run)) {
        std::vector<std::string> named;
        for (std::size_t i = 0; i < kind.tests.size() && i < kLeakersShown; ++i) {
            const auto& leaker = kind.tests[i];
            named.push_back(fmt::format("{} ({})", inert(run.tests[leaker.test].nodeid),
                                        inert(leftover_summary(*leaker.left))));
        }
        if (kind.tests.size() > kLeakersShown) {
            named.push_back(fmt::format("… {} more", kind.tests.size() - kLeakersShown));
        }
        out += fmt::format("{} {}, {} test{}: {}\n", style.yellow("left behind"),
                           leftover_title(kind.kind), kind.tests.size(),
                           kind.tests.size() == 1 ? "" : "s", fmt::join(named, ", "));
    }
    if (auto gc = gc_totals(run)) {
        out += fmt::format("gc after each test freed {} over {} tests ({} objects, {:.3f} s)",
                           size(gc->freed_bytes), gc->tests, gc->objects, gc->seconds);
        if (gc->most) {
            const auto& test = run.tests[*gc->most];
            out += fmt::format("; most after {} ({})", inert(test.nodeid),
                               size(test.after->gc_freed_bytes.value_or(0)));
        }
        out += "\n";
    }
}

// "the supervisor (pid 10), pytest (pid 11) in t.py::test_x (call), worker gw0 (pid 12)
// between tests": who is still running, and where.
std::string running_text(const RunModel& run) {
    std::vector<std::string> parts;
    for (const auto& process : run.running) {
        if (process.role == "supervisor") {
            parts.push_back(fmt::format("the supervisor (pid {})", process.pid));
            continue;
        }
        std::string who = process.role == "main"
                              ? fmt::format("pytest (pid {})", process.pid)
                              : fmt::format("worker {} (pid {})", process.role, process.pid);
        if (process.nodeid) {
            who += fmt::format(" in {} ({})", *process.nodeid, process.phase);
        }
        parts.push_back(std::move(who));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
}

// "left running  2 processes when pytest ended, stopped by the supervisor: 4242 sleep 1000
// (had left pytest's process group; started during t.py::test_spawn), …": what pytest left
// running, and whether it was stopped.
void append_left_running(std::string& out, const RunModel& run, const Style& style) {
    if (run.left_running.empty()) {
        return;
    }
    constexpr std::size_t kShown = 5;
    std::vector<std::string> named;
    std::size_t survived = 0;
    for (const auto& left : run.left_running) {
        survived += left.stopped ? 0 : 1;
        if (named.size() == kShown) {
            continue;
        }
        std::vector<std::string> notes;
        if (!left.in_group) {
            notes.emplace_back("had left pytest's process group");
        }
        if (left.started_during) {
            notes.push_back("started during " + *left.started_during);
        }
        if (!left.stopped) {
            notes.emplace_back("STILL RUNNING: it survived SIGKILL");
        }
        named.push_back(
            fmt::format("{} {}{}", left.pid, left.command,
                        notes.empty() ? "" : fmt::format(" ({})", fmt::join(notes, "; "))));
    }
    if (run.left_running.size() > kShown) {
        named.push_back(fmt::format("… {} more", run.left_running.size() - kShown));
    }
    const auto count = run.left_running.size();
    out += fmt::format("{} {} process{} when pytest ended, {}: {}\n", style.yellow("left running"),
                       count, count == 1 ? "" : "es",
                       survived == 0 ? "stopped by the supervisor"
                                     : fmt::format("{} of them could not be stopped", survived),
                       fmt::join(named, ", "));
}

// The tests the user's stop caught running: they did not finish, and were not "not run" either.
void append_interrupted(std::string& out, const RunModel& run, const Style& style) {
    constexpr std::size_t kShown = 10;
    for (std::size_t i = 0; i < run.interruptions.size() && i < kShown; ++i) {
        const auto& interruption = run.interruptions[i];
        out += fmt::format("{} {}: {}\n", style.yellow("interrupted"), inert(interruption.nodeid),
                           inert(postmortem::describe_interruption(interruption)));
    }
    if (run.interruptions.size() > kShown) {
        out += fmt::format("{} … {} more\n", style.yellow("interrupted"),
                           run.interruptions.size() - kShown);
    }
}

std::string counts_text(const Counts& counts) {
    std::vector<std::string> parts;
    auto add = [&](std::size_t n, const char* word) {
        if (n != 0) {
            parts.push_back(fmt::format("{} {}", n, word));
        }
    };
    add(counts.passed, "passed");
    add(counts.failed, "failed");
    add(counts.skipped, "skipped");
    add(counts.xfailed, "xfailed");
    add(counts.xpassed, "xpassed");
    add(counts.errors, counts.errors == 1 ? "error" : "errors");
    add(counts.crashed, "crashed");
    add(counts.interrupted, "interrupted");  // running when the run was stopped
    add(counts.not_run - std::min(counts.interrupted, counts.not_run), "not run");
    std::string text = fmt::format("{} collected", counts.collected);
    if (!parts.empty()) {
        text += ": " + fmt::format("{}", fmt::join(parts, ", "));
    }
    return text;
}

std::string shown_dir(const RunModel& run, const TextOptions& options) {
    if (!options.relative_to.empty()) {
        auto relative = run.dir.lexically_relative(options.relative_to);
        if (!relative.empty() && relative.native().rfind("..", 0) != 0) {
            return relative.string();
        }
    }
    return run.dir.string();
}

}  // namespace

std::size_t own_frames(const std::vector<std::string>& frames, std::size_t limit) {
    std::size_t count = 0;
    while (count < frames.size() && count < limit) {
        const auto& frame = frames[count];
        if (frame.find("/_pytest/") != std::string::npos ||
            frame.find("/pluggy/") != std::string::npos) {
            break;
        }
        ++count;
    }
    return std::max<std::size_t>(count, std::min<std::size_t>(frames.size(), 1));
}

std::string postmortem_text(const RunModel& run, const TextOptions& options) {
    Style style{options.color};
    std::string out;
    std::string verdict = fmt::format("{} {} — {}", style.bold("blackbox:"),
                                      status_word(run, style), counts_text(run.counts));
    if (run.status == "running") {
        verdict += " — still running: " + running_text(run);
    } else if (run.status == "incomplete" && run.supervisor_lost) {
        const auto& lost = *run.supervisor_lost;
        verdict += fmt::format(
            " — the supervisor (pid {}) died during attempt {} (killed?) and pytest was stopped "
            "with it{}",
            lost.pid, lost.attempt,
            lost.cgroup_killed > 0
                ? fmt::format(" ({} processes of its cgroup killed)", lost.cgroup_killed)
                : std::string());
    } else if (run.status == "incomplete") {
        verdict +=
            " — the recording stopped abruptly (the supervisor or pytest was killed "
            "before the end was recorded)";
    } else if (!run.recording_lost.empty()) {
        verdict += " as far as recorded (what the recording lost is said above)";
    }
    for (const auto& crash : run.crashes) {
        append_crash(out, crash, run, options, style);
    }
    if (run.memory.suspect && !run.crashes.empty()) {
        const auto& test = run.tests[*run.memory.suspect];
        out += fmt::format(
            "{} {} grew its process tree by {} before the crash: the cause, and the "
            "crashed test its casualty?\n",
            style.yellow("suspect"), inert(test.nodeid),
            size(test.tree_pss_growth_bytes.value_or(0)));
    }
    for (const auto& error : run.collect_errors) {
        out += fmt::format("{} collecting {}\n", style.yellow("error"), inert(error.nodeid));
    }
    append_interrupted(out, run, style);
    append_left_behind(out, run, style);
    append_left_running(out, run, style);
    for (const auto& stopped : run.recording_stopped) {
        out += fmt::format(
            "{} recording stopped in {}; that process's tests are missing from these records\n",
            style.yellow("warning"), inert(stopped));
    }
    for (const auto& lost : run.recording_lost) {
        out += fmt::format("{} recording lost: {}\n", style.yellow("warning"), lost);
    }
    out += verdict + "\n";
    out += fmt::format("  run dir   {}\n", inert(shown_dir(run, options)));
    if (options.html_report) {
        out += fmt::format(
            "  report    {}\n",
            inert((std::filesystem::path(shown_dir(run, options)) / rundir::kReportHtmlFile)
                      .string()));
    }
    return out;
}

}  // namespace blackbox::report
