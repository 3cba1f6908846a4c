#include <algorithm>

#include <blackbox/postmortem/run_course.hpp>

namespace blackbox::postmortem {

namespace {

constexpr int kFirstAttempt = 1;

// The earliest non-zero of `ns` and `candidate`.
void keep_earliest(std::int64_t& ns, std::int64_t candidate) {
    if (candidate != 0 && (ns == 0 || candidate < ns)) {
        ns = candidate;
    }
}

std::optional<double> seconds_between(std::int64_t from_ns, std::int64_t to_ns) {
    if (from_ns == 0 || to_ns == 0 || to_ns < from_ns) {
        return std::nullopt;
    }
    return static_cast<double>(to_ns - from_ns) / 1e9;
}

std::int64_t last_end_ns(const TestResult& test) {
    std::int64_t end = 0;
    for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
        if (*phase) {
            end = std::max(end, (*phase)->end_ns);
        }
    }
    return end;
}

}  // namespace

RunCourse run_course(const std::vector<journal::ProcessReplay>& replays, const RunModel& run) {
    std::int64_t launch = 0, end = 0;
    for (const auto& attempt : run.attempt_ends) {
        if (attempt.attempt == kFirstAttempt) {
            launch = attempt.started_ns;
            end = attempt.ended_ns;
        }
    }
    std::int64_t collect = 0, last_record = 0;
    for (const auto& replay : replays) {
        if (replay.files.attempt != kFirstAttempt) {
            continue;
        }
        keep_earliest(collect, replay.collect_ns);
        if (launch == 0 && !replay.files.is_worker()) {
            launch = replay.first_ns;
        }
        last_record = std::max(last_record, replay.last_ns);
    }
    if (end == 0) {
        end = last_record;
    }
    std::int64_t first_test = 0, last_test_end = 0;
    for (const auto& test : run.tests) {
        if (test.attempt != kFirstAttempt) {
            continue;
        }
        if (test.setup) {
            keep_earliest(first_test, test.setup->begin_ns);
        }
        last_test_end = std::max(last_test_end, last_end_ns(test));
    }
    RunCourse course;
    course.startup_s = seconds_between(launch, collect);
    course.collection_s = seconds_between(collect, first_test);
    course.finish_s = seconds_between(last_test_end, end);
    return course;
}

}  // namespace blackbox::postmortem
