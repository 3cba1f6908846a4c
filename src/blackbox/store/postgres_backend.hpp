#pragma once

// The PostgreSQL backend of `blackbox serve` (--db postgresql://…), through libpqxx: the
// metrics database's tables (postgres_schema.hpp), written and read with the SQLite backend's
// semantics, so every route answers alike whichever database is behind it. Requests run at once
// on a pool of at most kMaxConnections connections, opened when needed; each request is one
// transaction, and writes of the same run take the run's lock (an advisory lock), so concurrent
// pushes of one run apply one after the other. Statements are prepared once per connection,
// every value a parameter. A chunk's tests and metrics come by COPY: into their tables on the
// run's first push, else through a temporary table of the connection's from which they replace
// the rows sent before. A connection the server ended is dropped
// with every idle one (a restart ends them all), and the request that found it ended is tried
// once more on a new connection.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <blackbox/store/backend.hpp>

namespace blackbox::store {

class PostgresBackend : public Backend {
  public:
    // Connects to `url` (postgresql://…) and creates or checks the schema. Throws
    // blackbox::Error (kDatabaseError) with a one-line message, never the password, when
    // it cannot connect or the database is not usable.
    explicit PostgresBackend(const std::string& url);

    // PostgreSQL does a request's work in the connection's own process: a few connections use
    // the database server's cores while the HTTP workers wait, without one process per worker.
    static constexpr std::size_t kMaxConnections = 4;
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
    class Lease;

    // Runs `body` on a connection of the pool, waiting for one when all are busy; libpqxx's
    // failures become blackbox::Error.
    template <typename Body>
    auto with_connection(Body body);

    // An idle connection, or a new one while fewer than kMaxConnections are open. Throws
    // libpqxx's error when it cannot connect.
    std::unique_ptr<Connection> lend();
    // `connection` back to the pool; null when it was dropped (it no longer counts as open).
    void give_back(std::unique_ptr<Connection> connection);
    void drop_idle();

    std::string url_;
    std::mutex mutex_;  // the pool
    std::condition_variable returned_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::size_t open_ = 0;  // idle and lent
};

}  // namespace blackbox::store
