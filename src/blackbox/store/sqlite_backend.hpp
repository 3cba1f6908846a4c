#pragma once

// The SQLite backend of `blackbox serve`: the metrics database of `blackbox run` (its schema,
// migrations, WAL and busy timeout: open_database), written through store's RunWriter.
// One connection, one writer at a time (SQLite has one writer anyway); every statement is
// parameterised. Uploads that arrive while another is written are written together, in one
// transaction (a group commit); the log is checkpointed on a thread of its own
// (wal_checkpointer.hpp), so that the writer only writes.

#include <SQLiteCpp/Database.h>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include <blackbox/store/backend.hpp>
#include <blackbox/store/wal_checkpointer.hpp>

namespace blackbox::store {

class SqliteBackend : public Backend {
  public:
    // Opens (creating or migrating) the database at `path`. Throws blackbox::Error
    // (kDatabaseError) as open_database does.
    explicit SqliteBackend(const std::filesystem::path& path);

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
    struct QueuedUpload;
    class Reader;
    // Writes every upload queued by now in one transaction; when that fails, each in its own,
    // so that one that fails leaves the others' rows. The caller holds mutex_.
    void write_queued();

    std::mutex mutex_;  // the connection
    std::mutex queue_mutex_;
    std::vector<QueuedUpload*> queue_;  // uploads waiting for the connection, in arrival order
    SQLite::Database database_;
    WalCheckpointer checkpointer_;  // after database_: stopped before it closes
};

}  // namespace blackbox::store
