#pragma once

// A Backend (store/backend.hpp) in memory for the router's fuzz target: it keeps what the
// requests of one input stored and answers the dashboard's reads from it with the fields the
// pages read, so hostile text that went in comes back out through every page. Never throws.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include <blackbox/store/backend.hpp>

namespace blackbox::fuzz {

class MemoryBackend : public store::Backend {
  public:
    std::optional<store::ExecutionContextRow> find_context(const std::string& env_h) override {
        auto found = contexts_.find(env_h);
        return found == contexts_.end() ? std::nullopt : std::optional(found->second);
    }
    void add_context(const store::ExecutionContextRow& row) override {
        contexts_.emplace(row.env_h, row);
    }
    std::optional<store::SessionRow> find_session(const std::string& session_h) override {
        auto found = sessions_.find(session_h);
        return found == sessions_.end() ? std::nullopt : std::optional(found->second);
    }
    void add_session(const store::SessionRow& row) override {
        sessions_.emplace(row.session_h, row);
    }
    bool add_metric(const store::MonitorMetric& metric) override {
        if (!sessions_.count(metric.session_h) || !contexts_.count(metric.env_h)) {
            return false;
        }
        auto& runs = runs_[metric.session_h];
        runs["tests"].push_back({{"nodeid", metric.row.item}, {"outcome", "passed"}});
        return true;
    }
    store::UploadCounts ingest(const store::RunUpload& upload) override {
        auto& run = runs_[upload.session_h];
        run["session_h"] = upload.session_h;
        for (const auto& test : upload.tests) {
            run["tests"].push_back(
                {{"nodeid", test.nodeid},
                 {"outcome", test.outcome},
                 {"worker", test.worker ? nlohmann::json(*test.worker) : nullptr},
                 {"call_s", test.call_s ? nlohmann::json(*test.call_s) : nullptr},
                 {"total_s", test.total_s ? nlohmann::json(*test.total_s) : nullptr},
                 {"peak_rss_bytes",
                  test.peak_rss_bytes ? nlohmann::json(*test.peak_rss_bytes) : nullptr}});
        }
        if (upload.head) {
            const auto& head = *upload.head;
            run["run_id"] = head.run.run_id;
            run["status"] = head.run.status;
            run["started"] = head.run.started ? nlohmann::json(*head.run.started) : nullptr;
            run["duration_s"] = head.run.duration_s;
            run["command"] = nlohmann::json::parse(head.run.command, nullptr, false);
            run["scm_id"] = head.session.scm_id;
            run["machine"] = head.context.machine_node;
            run["collected"] = head.run.collected;
            run["passed"] = head.run.passed;
            run["failed"] = head.run.failed;
            run["crashed"] = head.run.crashed;
            run["not_run"] = head.run.not_run;
            for (const auto& crash : head.crashes) {
                run["crashes"].push_back(
                    {{"nodeid", crash.nodeid ? nlohmann::json(*crash.nodeid) : nullptr},
                     {"phase", crash.phase},
                     {"cause", crash.cause},
                     {"signal", crash.signal ? nlohmann::json(*crash.signal) : nullptr},
                     {"worker", crash.worker ? nlohmann::json(*crash.worker) : nullptr},
                     {"evidence", crash.evidence}});
            }
        }
        return {upload.tests.size(), upload.metrics.size(),
                upload.head ? upload.head->crashes.size() : 0};
    }
    void put_report(const std::string& session_h, const std::string& gzipped) override {
        reports_[session_h] = gzipped;
    }
    std::optional<std::string> report(const std::string& session_h) override {
        auto found = reports_.find(session_h);
        return found == reports_.end() ? std::nullopt : std::optional(found->second);
    }
    nlohmann::json runs(std::size_t limit) override {
        auto list = nlohmann::json::array();
        for (const auto& [hash, run] : runs_) {
            if (list.size() >= limit) {
                break;
            }
            list.push_back(complete(run));
        }
        return list;
    }
    std::optional<nlohmann::json> run(const std::string& session_h) override {
        auto found = runs_.find(session_h);
        if (found == runs_.end()) {
            return std::nullopt;
        }
        auto run = complete(found->second);
        run["report"] = reports_.count(session_h) != 0;
        return run;
    }
    nlohmann::json test_history(const std::string& nodeid, std::size_t limit) override {
        auto rows = nlohmann::json::array();
        for (const auto& [hash, run] : runs_) {
            for (const auto& test : run.value("tests", nlohmann::json::array())) {
                if (rows.size() < limit && test.value("nodeid", "") == nodeid) {
                    auto row = test;
                    row["session_h"] = hash;
                    row["started"] = run.value("started", nlohmann::json());
                    row["run_id"] = run.value("run_id", nlohmann::json());
                    row["branch"] = nullptr;
                    row["machine"] = run.value("machine", nlohmann::json());
                    rows.push_back(row);
                }
            }
        }
        return rows;
    }

  private:
    // The members the pages read, null where the requests gave none.
    static nlohmann::json complete(nlohmann::json run) {
        for (const char* key :
             {"run_id", "status", "started", "duration_s", "scm_id", "branch", "machine",
              "collected", "passed", "failed", "crashed", "not_run", "session_h"}) {
            if (!run.contains(key)) {
                run[key] = nullptr;
            }
        }
        for (const char* key : {"tests", "crashes"}) {
            if (!run.contains(key)) {
                run[key] = nlohmann::json::array();
            }
        }
        if (!run.contains("command") || !run["command"].is_array()) {
            run["command"] = nlohmann::json::array();
        }
        return run;
    }

    std::map<std::string, store::ExecutionContextRow> contexts_;
    std::map<std::string, store::SessionRow> sessions_;
    std::map<std::string, nlohmann::json> runs_;
    std::map<std::string, std::string> reports_;
};

}  // namespace blackbox::fuzz
