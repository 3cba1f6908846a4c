#pragma once

// The storage seam of `blackbox serve`: what the HTTP routes need from a database, whatever it
// is (SQLite, PostgreSQL). Writes are atomic: a method that throws has changed nothing. Every
// method may be called from several threads at once. Failures throw blackbox::Error.

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include <blackbox/store/execution_context_row.hpp>
#include <blackbox/store/session_row.hpp>
#include <blackbox/store/upload.hpp>

namespace blackbox::store {

class Backend {
  public:
    virtual ~Backend() = default;

    // pytest-monitor's protocol.
    virtual std::optional<ExecutionContextRow> find_context(const std::string& env_h) = 0;
    // Adds the context; one already known is kept as it is (its hash names its content).
    virtual void add_context(const ExecutionContextRow& row) = 0;
    virtual std::optional<SessionRow> find_session(const std::string& session_h) = 0;
    // Adds the session; one already known is kept as it is.
    virtual void add_session(const SessionRow& row) = 0;
    // Adds the metric; false (and nothing written) when its session or context is unknown.
    virtual bool add_metric(const MonitorMetric& metric) = 0;

    // Our ingest: writes one chunk, replacing the rows an earlier sending of it wrote.
    virtual UploadCounts ingest(const RunUpload& upload) = 0;

    // A run's HTML report data block, gzip-compressed (report_upload.hpp), replacing the run's
    // earlier one; the run's rows need not be there yet.
    virtual void put_report(const std::string& session_h, const std::string& gzipped) = 0;
    // The run's stored block as it was sent; nullopt when it has none.
    virtual std::optional<std::string> report(const std::string& session_h) = 0;

    // The dashboard's reads (docs/http-api.md gives their JSON).
    // The newest `limit` runs, newest first.
    virtual nlohmann::json runs(std::size_t limit) = 0;
    // One run with its tests and crashes, and `report`: whether a report is stored; nullopt
    // when unknown.
    virtual std::optional<nlohmann::json> run(const std::string& session_h) = 0;
    // A test's rows across runs, oldest first, the newest `limit` of them.
    virtual nlohmann::json test_history(const std::string& nodeid, std::size_t limit) = 0;
};

}  // namespace blackbox::store
