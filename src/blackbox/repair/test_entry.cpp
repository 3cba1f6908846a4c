#include <blackbox/postmortem/interruption.hpp>
#include <blackbox/repair/test_entry.hpp>
#include <blackbox/repair/text_trim.hpp>

namespace blackbox::repair {

namespace {

using postmortem::PhaseResult;

std::optional<double> seconds(const std::optional<PhaseResult>& phase) {
    return phase ? std::optional<double>(phase->duration_s) : std::nullopt;
}

}  // namespace

std::string_view skip_reason(std::string_view message) {
    constexpr std::string_view kPrefix = "Skipped: ";
    return message.starts_with(kPrefix) ? message.substr(kPrefix.size()) : message;
}

std::string failure_line(const std::optional<std::string>& longrepr, std::string_view fallback) {
    if (longrepr) {
        std::string_view text = *longrepr;
        std::size_t start = 0;
        while (start < text.size()) {
            auto end = text.find('\n', start);
            auto line = text.substr(start, end == std::string_view::npos ? end : end - start);
            if (line.starts_with("E ")) {
                auto message = trimmed(line.substr(1));
                if (!message.empty()) {
                    return std::string(message);
                }
            }
            if (end == std::string_view::npos) {
                break;
            }
            start = end + 1;
        }
    }
    return std::string(fallback);
}

std::vector<TestEntry> test_entries_of_run(const postmortem::RunModel& run) {
    std::vector<TestEntry> entries;
    for (const auto& test : run.tests) {
        if (test.outcome == "crashed") {
            continue;
        }
        TestEntry entry;
        entry.nodeid = test.nodeid;
        entry.outcome = test.outcome;
        entry.duration_s = test.duration_s();
        entry.setup_s = seconds(test.setup);
        entry.call_s = seconds(test.call);
        entry.teardown_s = seconds(test.teardown);
        for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
            if (!*phase) {
                continue;
            }
            const char* name = phase == &test.setup  ? "setup"
                               : phase == &test.call ? "call"
                                                     : "teardown";
            if ((*phase)->outcome == PhaseResult::Outcome::failed && entry.failed_phase.empty()) {
                entry.failed_phase = name;
            }
            const auto& details = (*phase)->details;
            if (!details) {
                continue;
            }
            if (details->longrepr && !entry.longrepr) {
                entry.longrepr = details->longrepr;
            }
            if (entry.message.empty()) {
                if ((*phase)->wasxfail) {
                    entry.message = details->wasxfail;
                } else if (details->reason) {
                    entry.message = *details->reason;
                }
            }
            entry.sections.insert(entry.sections.end(), details->sections.begin(),
                                  details->sections.end());
            if (!details->props.is_null()) {
                entry.properties = details->props;
            }
        }
        if (test.outcome == "failed" || test.outcome == "error") {
            entry.message = failure_line(entry.longrepr, "failed");
        } else if (test.outcome == "not_run") {
            entry.message =
                test.interrupted
                    ? "interrupted: " +
                          postmortem::describe_interruption(run.interruptions[*test.interrupted])
                    : (run.crashes.empty() ? "not run" : "not run: pytest died before reaching it");
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

}  // namespace blackbox::repair
