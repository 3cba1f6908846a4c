#include <algorithm>
#include <map>

#include <blackbox/compare/baseline.hpp>
#include <blackbox/compare/median.hpp>
#include <blackbox/plan/suite_history.hpp>

namespace blackbox::plan {

SuiteHistory load_suite_history(compare::MetricsSource& source, std::size_t last) {
    auto sessions = source.sessions();
    std::size_t first = last == 0 || last >= sessions.size() ? 0 : sessions.size() - last;
    SuiteHistory history;
    std::vector<std::vector<compare::TestFigures>> tests;
    std::map<std::string, TestCost> suite;
    std::map<std::string, std::vector<double>> peaks;  // over the sessions a test passed in
    for (std::size_t i = first; i < sessions.size(); ++i) {
        const auto& session = sessions[i];
        history.run_ids.push_back(session.run_id);
        history.sessions.push_back(
            {compare::settings_workers(session.settings), session.course, session.cpu_count});
        if (session.cpu_count && *session.cpu_count > 0 &&
            (!history.cpu_count || *session.cpu_count < *history.cpu_count)) {
            history.cpu_count = session.cpu_count;
        }
        tests.push_back(source.tests(session.session_h));
        for (const auto& test : tests.back()) {
            suite[test.nodeid].nodeid = test.nodeid;
            if (test.passed() && test.peak_rss_bytes) {
                peaks[test.nodeid].push_back(static_cast<double>(*test.peak_rss_bytes));
            }
        }
    }
    auto baseline = compare::build_baseline(tests);
    for (auto& [nodeid, cost] : suite) {
        auto found = baseline.find(nodeid);
        if (found != baseline.end()) {
            cost.duration_s = found->second.median(compare::Metric::wall);
        }
        // The memory model counts a test's whole process (docs/formats/plan.md), so its peak,
        // not what it added (compare's memory figure).
        if (auto peak = compare::median(peaks[nodeid])) {
            cost.peak_bytes = static_cast<std::int64_t>(*peak);
        }
        history.tests.push_back(std::move(cost));
    }
    return history;
}

}  // namespace blackbox::plan
