#include <blackbox/base/utf8_text.hpp>
#include <blackbox/store/test_row.hpp>

namespace blackbox::store {

std::string stored_nodeid(std::string nodeid, int session,
                          const std::optional<std::string>& each_worker) {
    if (session > 0) {
        nodeid += " (session " + std::to_string(session + 1) + ")";
    }
    if (each_worker) {
        nodeid += " [" + base::name_text(*each_worker) + "]";
    }
    return nodeid;
}

std::string stored_nodeid(const postmortem::TestResult& test) {
    return stored_nodeid(base::name_text(test.nodeid), test.session,  // valid UTF-8
                         test.each_worker ? test.worker : std::nullopt);
}

std::string stored_nodeid(const postmortem::Crash& crash) {
    return stored_nodeid(base::name_text(crash.nodeid.value_or("")), crash.session,
                         crash.each_worker ? crash.worker : std::nullopt);
}

TestRow test_row(const postmortem::TestResult& test, bool monitored,
                 const std::optional<std::string>& start) {
    TestRow row;
    row.nodeid = stored_nodeid(test);
    row.outcome = test.outcome;
    row.worker = test.worker;
    row.attempt = test.attempt;
    row.start = start;
    using Phase = postmortem::CutPhase::Phase;
    row.setup_s = test.phase_duration_s(Phase::setup);
    row.call_s = test.phase_duration_s(Phase::call);
    row.teardown_s = test.phase_duration_s(Phase::teardown);
    if (row.setup_s || row.call_s || row.teardown_s) {
        row.total_s = test.duration_s();
    }
    row.user_s = test.cpu_user_s;
    row.sys_s = test.cpu_sys_s;
    row.peak_exact = test.peak_rss_bytes.has_value();
    row.peak_rss_bytes = row.peak_exact ? test.peak_rss_bytes : test.peak_tree_rss_bytes;
    row.peak_tree_rss_bytes = test.peak_tree_rss_bytes;
    row.rss_before_bytes = test.rss_before_bytes;
    row.rss_after_bytes = test.rss_after_bytes;
    if (test.rss_before_bytes && test.rss_after_bytes) {
        row.retained_bytes = *test.rss_after_bytes - *test.rss_before_bytes;
    }
    row.monitored = monitored;
    row.main_cpu_s = test.main_cpu_s;
    row.run_delay_s = test.run_delay_s;
    row.reruns = static_cast<std::int64_t>(test.reruns.size());
    return row;
}

}  // namespace blackbox::store
