#include <fmt/format.h>

#include <blackbox/repair/crash_entry.hpp>

namespace blackbox::repair {

std::string_view reported_phase(const CrashEntry& crash) {
    if (!crash.phase || *crash.phase == "call" || *crash.phase == "session") {
        return "call";
    }
    if (*crash.phase == "teardown") {
        return "teardown";
    }
    return "setup";  // setup, and collection (pytest reports a collection error before setup)
}

std::string_view crash_outcome(const CrashEntry& crash) {
    return reported_phase(crash) == "call" ? "failed" : "error";
}

std::string crash_message(const CrashEntry& crash) {
    std::string message = "crashed";
    if (crash.phase) {
        message += " in " + *crash.phase;
    }
    std::string what;
    if (crash.cause && crash.signal) {
        what = *crash.cause + " (" + *crash.signal + ")";
    } else if (crash.cause) {
        what = *crash.cause;
    } else if (crash.signal) {
        what = *crash.signal;
    } else if (crash.reason && !crash.reason->empty()) {
        // pytest-abort's reason is one fixed sentence; keep the first line only.
        what = crash.reason->substr(0, crash.reason->find('\n'));
    }
    if (!what.empty()) {
        message += ": " + what;
    }
    if (crash.collateral) {
        message += " (killed with the main process)";
    }
    return message;
}

std::string crash_details(const CrashEntry& crash) {
    std::string text = crash_message(crash) + "\n";
    auto fact = [&text](std::string_view name, const std::optional<std::string>& value) {
        if (value && !value->empty()) {
            text += fmt::format("{}: {}\n", name, *value);
        }
    };
    fact("phase", crash.phase);
    fact("cause", crash.cause);
    fact("signal", crash.signal);
    fact("evidence", crash.evidence);
    fact("reason", crash.reason);
    fact("worker", crash.worker);
    fact("test class", crash.test_class);
    fact("GPU", crash.gpu_id);
    fact("crash time", crash.crash_time);
    if (crash.pid) {
        text += fmt::format("pid: {}\n", *crash.pid);
    }
    if (crash.duration_s) {
        text += fmt::format("ran for: {:.3f} s\n", *crash.duration_s);
    }
    if (crash.traceback && !crash.traceback->empty()) {
        text += "\n" + *crash.traceback;
        if (text.back() != '\n') {
            text += '\n';
        }
    }
    return text;
}

CrashEntry after_reported_call(const CrashEntry& crash) {
    CrashEntry inferred = crash;
    if (!inferred.phase) {
        inferred.phase = "teardown";
        if (!inferred.evidence) {
            inferred.evidence = "the report shows the call finished, so the crash came in teardown";
        }
    }
    return inferred;
}

double crash_duration(const CrashEntry& crash) {
    return crash.duration_s.value_or(0.0);
}

}  // namespace blackbox::repair
