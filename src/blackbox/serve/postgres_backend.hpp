#pragma once

// The PostgreSQL backend of `blackbox serve` (--db postgresql://…), through libpqxx: the
// metrics database's tables (postgres_schema.hpp), written and read with the SQLite backend's
// semantics, so every route answers alike whichever database is behind it. One connection and
// one request at a time (as SQLite's one writer); statements prepared once on connecting, every
// value a parameter. A chunk's tests and metrics are written set-wise, one statement per table
// over the rows passed as one JSON parameter, in the chunk's one transaction. A connection the
// server ended is opened again, and the request that found it ended tried once more.

#include <memory>
#include <mutex>
#include <string>

#include <blackbox/serve/backend.hpp>

namespace blackbox::serve {

class PostgresBackend : public Backend {
  public:
    // Connects to `url` (postgresql://…) and creates or checks the schema. Throws
    // blackbox::Error (store::kDatabaseError) with a one-line message, never the password, when
    // it cannot connect or the database is not usable.
    explicit PostgresBackend(const std::string& url);
    ~PostgresBackend() override;

    std::optional<store::ExecutionContextRow> find_context(const std::string& env_h) override;
    void add_context(const store::ExecutionContextRow& row) override;
    std::optional<store::SessionRow> find_session(const std::string& session_h) override;
    void add_session(const store::SessionRow& row) override;
    bool add_metric(const MonitorMetric& metric) override;
    UploadCounts ingest(const RunUpload& upload) override;
    void put_report(const std::string& session_h, const std::string& gzipped) override;
    std::optional<std::string> report(const std::string& session_h) override;
    nlohmann::json runs(std::size_t limit) override;
    std::optional<nlohmann::json> run(const std::string& session_h) override;
    nlohmann::json test_history(const std::string& nodeid, std::size_t limit) override;

  private:
    struct Connection;  // libpqxx's, kept out of this header

    // Runs `body` on the connection under the lock (connecting first when the last one broke);
    // libpqxx's failures become blackbox::Error.
    template <typename Body>
    auto locked(Body body);

    std::string url_;
    std::mutex mutex_;
    std::unique_ptr<Connection> connection_;
};

}  // namespace blackbox::serve
