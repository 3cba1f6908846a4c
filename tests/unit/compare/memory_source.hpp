#pragma once

// Constructed histories for the compare engine: sessions and their tests held in memory, behind
// the same seam the SQLite reader implements.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/compare/metrics_source.hpp>

namespace blackbox::compare::testing {

constexpr std::int64_t MiB = 1024 * 1024;

// A test with its three figures (cpu = wall unless given): its process started at `before`
// bytes and peaked at `before + added_bytes`.
inline TestFigures figures(const std::string& nodeid, double wall_s, std::int64_t added_bytes,
                           const std::string& outcome = "passed",
                           std::optional<double> cpu_s = std::nullopt,
                           std::int64_t before = 30 * MiB) {
    TestFigures test;
    test.nodeid = nodeid;
    test.outcome = outcome;
    test.wall_s = wall_s;
    test.cpu_s = cpu_s ? *cpu_s : wall_s;
    test.rss_before_bytes = before;
    test.peak_rss_bytes = before + added_bytes;
    test.retained_bytes = 0;
    return test;
}

class MemorySource : public MetricsSource {
  public:
    // Appends a session (they are added oldest first); its hash is "s<number>…" padded to 32
    // hex-looking characters, its run id "run-<number>".
    Session& add(std::vector<TestFigures> tests, const std::string& env_h = "env-a",
                 const std::string& settings = R"({"workers":0})") {
        auto number = sessions_.size() + 1;
        Session session;
        session.session_h = hash(number);
        session.run_id = "run-" + std::to_string(number);
        session.env_h = env_h;
        session.settings = settings;
        session.started = "2026-01-" + two_digits(number) + "T10:00:00.000000";
        sessions_.push_back(session);
        tests_[session.session_h] = std::move(tests);
        return sessions_.back();
    }

    std::vector<Session> sessions() override { return sessions_; }

    std::vector<TestFigures> tests(const std::string& session_h) override {
        auto found = tests_.find(session_h);
        return found == tests_.end() ? std::vector<TestFigures>{} : found->second;
    }

    std::vector<HistoryPoint> history(const std::string& nodeid) override {
        std::vector<HistoryPoint> points;
        for (const auto& session : sessions_) {
            for (const auto& test : tests_[session.session_h]) {
                if (test.nodeid == nodeid) {
                    points.push_back({session, test});
                }
            }
        }
        return points;
    }

    std::vector<std::string> nodeids_containing(const std::string& text,
                                                std::size_t limit) override {
        std::vector<std::string> found;
        for (const auto& [session_h, tests] : tests_) {
            for (const auto& test : tests) {
                if (test.nodeid.find(text) != std::string::npos) {
                    found.push_back(test.nodeid);
                }
            }
        }
        std::sort(found.begin(), found.end());
        found.erase(std::unique(found.begin(), found.end()), found.end());
        found.resize(std::min(found.size(), limit));
        return found;
    }

    static std::string hash(std::size_t number) {
        auto text = std::to_string(number * 1111);
        return text + std::string(32 - text.size(), 'a');
    }

  private:
    static std::string two_digits(std::size_t number) {
        return number < 10 ? "0" + std::to_string(number) : std::to_string(number);
    }

    std::vector<Session> sessions_;
    std::map<std::string, std::vector<TestFigures>> tests_;
};

}  // namespace blackbox::compare::testing
