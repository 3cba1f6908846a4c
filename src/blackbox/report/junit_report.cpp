#include <pugixml.hpp>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/postmortem/interruption.hpp>
#include <blackbox/postmortem/left_behind.hpp>
#include <blackbox/report/junit_report.hpp>
#include <blackbox/report/native_view.hpp>

namespace blackbox::report {

namespace {

using postmortem::Crash;
using postmortem::PhaseResult;
using postmortem::RunModel;
using postmortem::TestResult;

struct Totals {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    double time = 0;
};

void set_text(pugi::xml_node node, std::string_view text) {
    node.text().set(base::xml_safe_text(text).c_str());
}

void attribute(pugi::xml_node node, const char* name, std::string_view value) {
    node.append_attribute(name).set_value(base::xml_safe_text(value).c_str());
}

std::string crash_message(const Crash& crash) {
    std::string message = fmt::format("crashed in {}: {}", crash.phase, crash.cause);
    if (crash.signal) {
        message += fmt::format(" ({})", base::signal_name(*crash.signal));
    } else if (crash.exit_code) {
        message += fmt::format(" (exit code {})", *crash.exit_code);
    }
    if (crash.rss_bytes) {
        message += fmt::format(", memory {}",
                               base::format_size(static_cast<std::uint64_t>(*crash.rss_bytes)));
    }
    if (crash.worker) {
        message += fmt::format(", worker {}", *crash.worker);
    }
    return message;
}

// The phase whose report decided the outcome, with its details.
const PhaseResult* deciding_phase(const TestResult& test, const char* outcome) {
    using Outcome = PhaseResult::Outcome;
    auto wanted = std::string_view(outcome) == "skipped" ? Outcome::skipped : Outcome::failed;
    for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
        if (*phase && (*phase)->outcome == wanted) {
            return &**phase;
        }
    }
    return nullptr;
}

// <properties> first in the testcase, as pytest's record_property puts them: what the sentinels
// caught ("blackbox.left.fds" = "2: 7 -> /tmp/x"), what gc after the test freed, and under
// `--dist each` the worker that ran this entry ("blackbox.worker" = "gw1": every worker ran it).
void add_properties(pugi::xml_node testcase, const TestResult& test, bool dist_each) {
    bool worker = dist_each && test.worker;
    if (!test.after && !worker) {
        return;
    }
    auto properties = testcase.append_child("properties");
    auto add = [&](const std::string& name, const std::string& value) {
        auto property = properties.append_child("property");
        attribute(property, "name", name);
        attribute(property, "value", value);
    };
    if (worker) {
        add("blackbox.worker", *test.worker);
    }
    if (!test.after) {
        return;
    }
    for (const auto& left : test.after->left) {
        add("blackbox.left." + left.kind, postmortem::leftover_summary(left));
    }
    if (test.after->gc_freed_bytes) {
        add("blackbox.gc_freed_bytes", std::to_string(*test.after->gc_freed_bytes));
    }
    if (properties.first_child().empty()) {
        testcase.remove_child(properties);
    }
}

// "Captured stdout call" sections go to system-out, "Captured stderr …" to system-err, logs to
// system-out, as pytest's junit_logging=all would.
void add_captured(pugi::xml_node testcase, const TestResult& test, const Crash* crash) {
    std::string out, err;
    for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
        if (!*phase || !(*phase)->details) {
            continue;
        }
        for (const auto& [title, text] : (*phase)->details->sections) {
            std::string& target = title.find("stderr") != std::string::npos ? err : out;
            target += fmt::format(
                "----------------------------- {} -----------------------------\n{}", title, text);
        }
    }
    if (crash != nullptr) {
        if (crash->captured_stdout && !crash->captured_stdout->empty()) {
            out += "------------------ Captured stdout up to the crash ------------------\n" +
                   *crash->captured_stdout;
        }
        if (crash->captured_log && !crash->captured_log->empty()) {
            out += "-------------------- Captured log up to the crash --------------------\n" +
                   *crash->captured_log;
        }
        if (crash->captured_stderr && !crash->captured_stderr->empty()) {
            err += "------------------ Captured stderr up to the crash ------------------\n" +
                   *crash->captured_stderr;
        }
    }
    if (!out.empty()) {
        set_text(testcase.append_child("system-out"), out);
    }
    if (!err.empty()) {
        set_text(testcase.append_child("system-err"), err);
    }
}

// The failed subtests of a test (pytest-subtests), one paragraph each: "[msg] (i=1)" and the
// failure's text.
std::string failed_subtests_text(const TestResult& test, std::size_t& failed) {
    std::string text;
    failed = 0;
    for (const auto& subtest : test.subtests) {
        if (subtest.outcome != "failed") {
            continue;
        }
        ++failed;
        std::string name = subtest.msg ? fmt::format("[{}]", *subtest.msg) : std::string();
        std::string params;
        for (const auto& [key, value] : subtest.params) {
            params += fmt::format("{}{}={}", params.empty() ? "" : ", ", key, value);
        }
        if (!params.empty()) {
            name += fmt::format("{}({})", name.empty() ? "" : " ", params);
        }
        text += fmt::format("subtest {} failed\n{}\n\n", name.empty() ? "(unnamed)" : name,
                            subtest.longrepr.value_or(""));
    }
    return text;
}

// The tries pytest-rerunfailures ran again before the last, in Maven Surefire's words, which
// CI servers read: <flakyFailure>/<flakyError> in a test that passed in the end, else
// <rerunFailure>/<rerunError>; each with the try's text in <stackTrace>.
void add_reruns(pugi::xml_node testcase, const TestResult& test) {
    const bool flaky = test.outcome == "passed" || test.outcome == "xpassed" ||
                       test.outcome == "skipped" || test.outcome == "xfailed";
    for (const auto& tried : test.reruns) {
        const bool error = tried.outcome == "error";
        const char* element = flaky ? (error ? "flakyError" : "flakyFailure")
                                    : (error ? "rerunError" : "rerunFailure");
        auto node = testcase.append_child(element);
        attribute(node, "message", fmt::format("{} in {}", tried.outcome, tried.phase));
        attribute(node, "type", "pytest.rerun");
        if (tried.longrepr) {
            set_text(node.append_child("stackTrace"), *tried.longrepr);
        }
    }
}

void add_testcase(pugi::xml_node suite, const TestResult& test, const RunModel& run,
                  Totals& totals) {
    const auto nodeid = base::name_text(test.nodeid);  // names: "\\xNN" for bytes not UTF-8
    auto [classname, name] = junit_names(nodeid);
    auto testcase = suite.append_child("testcase");
    attribute(testcase, "classname", classname);
    attribute(testcase, "name", name);
    attribute(testcase, "file", nodeid.substr(0, nodeid.find("::")));
    testcase.append_attribute("time").set_value(fmt::format("{:.3f}", test.duration_s()).c_str());
    add_properties(testcase, test, run.dist_each);
    ++totals.tests;
    totals.time += test.duration_s();
    const Crash* crash = test.crash ? &run.crashes[*test.crash] : nullptr;
    const auto& outcome = test.outcome;
    if (outcome == "failed" || outcome == "error") {
        const auto* phase = deciding_phase(test, "failed");
        bool error = outcome == "error";
        auto element = testcase.append_child(error ? "error" : "failure");
        std::string where = test.setup && phase == &*test.setup ? "setup" : "teardown";
        std::size_t failed_subtests = 0;
        auto subtests_text = failed_subtests_text(test, failed_subtests);
        std::string message = error ? fmt::format("failed on {}", where) : std::string("failed");
        if (failed_subtests != 0) {
            message += fmt::format(": {} subtest{} failed", failed_subtests,
                                   failed_subtests == 1 ? "" : "s");
        }
        attribute(element, "message", message);
        std::string body = subtests_text;
        if (phase != nullptr && phase->details && phase->details->longrepr) {
            body += *phase->details->longrepr;
        }
        if (!body.empty()) {
            set_text(element, body);
        }
        (error ? totals.errors : totals.failures) += 1;
    } else if (outcome == "skipped" || outcome == "xfailed") {
        const auto* phase = deciding_phase(test, "skipped");
        auto element = testcase.append_child("skipped");
        attribute(element, "type", outcome == "xfailed" ? "pytest.xfail" : "pytest.skip");
        std::string reason;
        if (phase != nullptr && phase->details) {
            reason = outcome == "xfailed" ? phase->details->wasxfail
                                          : phase->details->reason.value_or("");
        }
        attribute(element, "message", reason);
        ++totals.skipped;
    } else if (outcome == "crashed" && crash != nullptr) {
        auto element = testcase.append_child("error");
        attribute(element, "type", "crash");
        attribute(element, "message", crash_message(*crash));
        std::string body = crash->evidence + "\n";
        if (crash->traceback) {
            body += "\n" + *crash->traceback + "\n";
        }
        if (crash->native) {
            body += "\n" + native_text(*crash);
        }
        set_text(element, body);
        ++totals.errors;
    } else if (outcome == "not_run") {
        auto element = testcase.append_child("skipped");
        attribute(element, "type", "blackbox.not_run");
        if (test.interrupted) {
            // It ran, and was stopped: the type stays (a skip that blackbox made), the message
            // says what happened.
            attribute(element, "message",
                      "interrupted: " +
                          postmortem::describe_interruption(run.interruptions[*test.interrupted]));
        } else {
            attribute(element, "message",
                      run.crashes.empty() ? "not run" : "not run: pytest died before reaching it");
        }
        ++totals.skipped;
    }
    add_reruns(testcase, test);
    add_captured(testcase, test, crash);
}

void add_collect_errors(pugi::xml_node suite, const RunModel& run, int session, Totals& totals) {
    for (const auto& error : run.collect_errors) {
        if (error.session != session) {
            continue;
        }
        auto testcase = suite.append_child("testcase");
        auto [classname, name] = junit_names(base::name_text(error.nodeid));
        attribute(testcase, "classname", classname);
        attribute(testcase, "name", name);
        testcase.append_attribute("time").set_value("0.000");
        auto element = testcase.append_child("error");
        attribute(element, "message", "collection failure");
        set_text(element, error.longrepr);
        ++totals.tests;
        ++totals.errors;
    }
    for (const auto& crash : run.crashes) {
        if (crash.phase != "collect" || !crash.module || crash.session != session) {
            continue;
        }
        auto testcase = suite.append_child("testcase");
        auto [classname, name] = junit_names(*crash.module);
        attribute(testcase, "classname", classname);
        attribute(testcase, "name", name);
        testcase.append_attribute("time").set_value("0.000");
        auto element = testcase.append_child("error");
        attribute(element, "type", "crash");
        attribute(element, "message", "collection " + crash_message(crash));
        set_text(element, crash.evidence + "\n" + crash.traceback.value_or("") +
                              (crash.native ? "\n" + native_text(crash) : ""));
        ++totals.tests;
        ++totals.errors;
    }
}

}  // namespace

std::pair<std::string, std::string> junit_names(const std::string& nodeid) {
    // pytest: the path's "/" become ".", ".py" goes, the last part is the name.
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        auto at = nodeid.find("::", start);
        parts.push_back(nodeid.substr(start, at == std::string::npos ? at : at - start));
        if (at == std::string::npos) {
            break;
        }
        start = at + 2;
    }
    auto& file = parts.front();
    for (char& c : file) {
        if (c == '/' || c == '\\') {
            c = '.';
        }
    }
    if (file.size() > 3 && file.ends_with(".py")) {
        file.resize(file.size() - 3);
    }
    std::string name = parts.back();
    parts.pop_back();
    std::string classname;
    for (const auto& part : parts) {
        classname += (classname.empty() ? "" : ".") + part;
    }
    return {classname, name};
}

namespace {

// One <testsuite> of `run`: the tests, collection errors and collection crashes of pytest
// session `session`; `name` is pytest's ("pytest") for a run of one session.
void add_suite(pugi::xml_node suites, const RunModel& run, int session, const std::string& name) {
    auto suite = suites.append_child("testsuite");
    attribute(suite, "name", name);
    Totals totals;
    pugi::xml_document cases;  // the testcases first: the suite's attributes need the totals
    auto holder = cases.append_child("holder");
    for (const auto& test : run.tests) {
        if (test.session == session) {
            add_testcase(holder, test, run, totals);
        }
    }
    add_collect_errors(holder, run, session, totals);
    suite.append_attribute("errors") = static_cast<unsigned long long>(totals.errors);
    suite.append_attribute("failures") = static_cast<unsigned long long>(totals.failures);
    suite.append_attribute("skipped") = static_cast<unsigned long long>(totals.skipped);
    suite.append_attribute("tests") = static_cast<unsigned long long>(totals.tests);
    suite.append_attribute("time").set_value(fmt::format("{:.3f}", totals.time).c_str());
    if (run.started) {
        attribute(suite, "timestamp", *run.started);
    }
    if (run.context.is_object() && run.context.contains("hostname") &&
        run.context["hostname"].is_string()) {
        attribute(suite, "hostname", run.context["hostname"].get<std::string>());
    }
    for (auto child : holder.children()) {
        suite.append_copy(child);
    }
}

}  // namespace

std::string junit_xml(const RunModel& run) {
    pugi::xml_document doc;
    auto declaration = doc.append_child(pugi::node_declaration);
    declaration.append_attribute("version") = "1.0";
    declaration.append_attribute("encoding") = "utf-8";
    auto suites = doc.append_child("testsuites");
    if (run.sessions <= 1) {
        add_suite(suites, run, 0, "pytest");
    } else {
        // A command that ran pytest more than once: a suite per session, in the order they ran.
        for (std::size_t session = 0; session < run.sessions; ++session) {
            add_suite(suites, run, static_cast<int>(session),
                      fmt::format("pytest (session {})", session + 1));
        }
    }
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
}

void write_junit_file(const RunModel& run, const std::filesystem::path& path) {
    try {
        auto parent = path.parent_path();
        if (!parent.empty()) {
            std::filesystem::create_directories(parent);
        }
        base::write_file_atomically(path, junit_xml(run));
    } catch (const std::filesystem::filesystem_error& error) {
        throw Error(fmt::format("cannot write the JUnit report {}: {}", path.string(),
                                error.code().message()));
    }
}

}  // namespace blackbox::report
