#include <cstdio>
#include <fstream>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/report/json_report.hpp>
#include <blackbox/report/json_view.hpp>

namespace blackbox::report {

namespace {

using nlohmann::json;
using postmortem::PhaseResult;
using postmortem::TestResult;

template <typename T>
json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json duration(const TestResult& test, postmortem::CutPhase::Phase phase) {
    return optional_json(test.phase_duration_s(phase));
}

// The failure text, skip reason or xfail reason of the phase that decided the outcome.
void add_texts(json& object, const TestResult& test) {
    for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
        if (!*phase || !(*phase)->details) {
            continue;
        }
        const auto& details = *(*phase)->details;
        if (details.longrepr && !object.contains("longrepr")) {
            object["longrepr"] = *details.longrepr;
            object["failed_phase"] = phase == &test.setup  ? "setup"
                                     : phase == &test.call ? "call"
                                                           : "teardown";
        }
        if (details.reason && !object.contains("reason")) {
            object["reason"] = *details.reason;
        }
        if ((*phase)->wasxfail && !object.contains("xfail_reason")) {
            object["xfail_reason"] = details.wasxfail;
        }
        if (!details.sections.empty()) {
            auto& sections = object["sections"];
            for (const auto& [title, text] : details.sections) {
                sections.push_back({title, text});
            }
        }
        if (!details.props.is_null()) {
            object["user_properties"] = details.props;
        }
    }
}

json test_json(const TestResult& test, const postmortem::RunModel& run) {
    json object = {
        {"outcome", test.outcome},
        {"worker", optional_json(test.worker)},
        {"attempt", test.attempt},
        {"duration_s", test.duration_s()},
        {"setup_duration_s", duration(test, postmortem::CutPhase::Phase::setup)},
        {"call_duration_s", duration(test, postmortem::CutPhase::Phase::call)},
        {"teardown_duration_s", duration(test, postmortem::CutPhase::Phase::teardown)},
        {"cpu_user_s", optional_json(test.cpu_user_s)},
        {"cpu_system_s", optional_json(test.cpu_sys_s)},
        {"peak_rss_bytes", optional_json(test.peak_rss_bytes)},
        {"peak_rss_source", test.peak_rss_bytes ? json("exact") : json(nullptr)},
        {"peak_tree_rss_bytes", optional_json(test.peak_tree_rss_bytes)},
        {"tree_rss_growth_bytes", optional_json(test.tree_rss_growth_bytes)},
        {"peak_tree_pss_bytes", optional_json(test.peak_tree_pss_bytes)},
        {"tree_pss_added_bytes", optional_json(test.tree_pss_added_bytes)},
        {"tree_pss_from_rss", test.tree_pss_from_rss},
        {"tree_pss_growth_bytes", optional_json(test.tree_pss_growth_bytes)},
        {"crash",
         test.crash ? report::crash_to_json(run.crashes[*test.crash], run) : json(nullptr)},
        {"interrupted",
         test.interrupted ? report::interruption_to_json(run.interruptions[*test.interrupted], run)
                          : json(nullptr)},
    };
    base::put_name(object, "nodeid", test.nodeid);  // exact in nodeid_bytes when not UTF-8
    report::put_session(object, run, test.session);
    if (!test.peak_rss_bytes && test.peak_tree_rss_bytes) {
        object["peak_rss_bytes"] = *test.peak_tree_rss_bytes;  // the best figure there is
        object["peak_rss_source"] = "sampled";
    }
    json left = nullptr;
    if (test.after && !test.after->left.empty()) {
        left = json::object();
        for (const auto& leftover : test.after->left) {
            left[leftover.kind] = report::leftover_json(leftover);
        }
    }
    object["left"] = std::move(left);
    object["gc_freed_bytes"] = test.after ? optional_json(test.after->gc_freed_bytes) : nullptr;
    object["gc_objects"] = test.after ? optional_json(test.after->gc_objects) : nullptr;
    add_texts(object, test);
    // pytest-rerunfailures: how many times the test ran again, and each earlier try.
    object["reruns"] = test.reruns.size();
    if (!test.reruns.empty()) {
        json tries = json::array();
        for (const auto& tried : test.reruns) {
            tries.push_back({{"outcome", tried.outcome},
                             {"phase", tried.phase},
                             {"duration_s", tried.duration_s},
                             {"longrepr", optional_json(tried.longrepr)}});
        }
        object["rerun_tries"] = std::move(tries);
    }
    // pytest-subtests: each subtest's report, in the order they ran.
    if (!test.subtests.empty()) {
        json subtests = json::array();
        for (const auto& subtest : test.subtests) {
            json params = json::object();
            for (const auto& [name, value] : subtest.params) {
                params[name] = value;
            }
            json entry = {{"msg", optional_json(subtest.msg)},
                          {"params", std::move(params)},
                          {"outcome", subtest.outcome},
                          {"duration_s", subtest.duration_s}};
            if (subtest.longrepr) {
                entry["longrepr"] = *subtest.longrepr;
            }
            if (subtest.reason) {
                entry["reason"] = *subtest.reason;
            }
            subtests.push_back(std::move(entry));
        }
        object["subtests"] = std::move(subtests);
    }
    return object;
}

}  // namespace

void write_json_report(const postmortem::RunModel& run, std::ostream& out) {
    json head = report::postmortem_json(run);
    head["format"] = 1;
    // `tests` is the list here (as the brief's report contract says); the counts move.
    head["summary"] = std::move(head["tests"]);
    head.erase("tests");
    std::string text = base::json_text(head, 2);
    // The run's object, then "tests" one object per line appended before its closing brace.
    text.erase(text.find_last_of('}'));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    out << text << ",\n  \"tests\": [";
    const char* separator = "\n    ";
    for (const auto& test : run.tests) {
        out << separator << base::json_text(test_json(test, run));
        separator = ",\n    ";
    }
    out << (run.tests.empty() ? "]\n}\n" : "\n  ]\n}\n");
}

void write_json_report_file(const postmortem::RunModel& run, const std::filesystem::path& path) {
    auto temporary = path;
    temporary += fmt::format(".tmp.{}", ::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) {
            throw Error(fmt::format("cannot write the JSON report {}", path.string()));
        }
        write_json_report(run, out);
        if (!out.flush()) {
            std::remove(temporary.c_str());
            throw Error(fmt::format("cannot write the JSON report {}", path.string()));
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        throw Error(fmt::format("cannot write the JSON report {}", path.string()));
    }
}

}  // namespace blackbox::report
