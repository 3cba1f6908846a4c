#pragma once

// Checkpoints a SQLite database's write-ahead log on a thread of its own, so that the server's
// one writer only appends to the log. SQLite's automatic checkpoint runs in the connection that
// commits, after its commit: copying the log's pages into the database file and syncing it was
// more than a third of the writer's time under a steady load of uploads, and the writer is what
// bounds the server's rows per second.
//
// The writer's connection tells the checkpointer how long the log is after each commit (SQLite's
// WAL hook, which also turns its automatic checkpoint off). Past kPassiveFrames the checkpointer
// copies what it can without waiting for anyone (PASSIVE). A writer starts the log over only
// when a transaction begins after the whole log was copied; one that goes from a commit straight
// to the next transaction (a steady load) never sees that, and its log would grow without end.
// So, between its transactions, the writer calls restart_if_long(): past kRestartFrames it
// copies the little the thread has not (PASSIVE, on its own connection, nothing written in
// between), and its next transaction starts the log over: the file stays within about 16 MiB of
// 4 KiB pages. A checkpoint that fails is tried again later; the last connection to close
// checkpoints what is left.

#include <SQLiteCpp/Database.h>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

namespace blackbox::store {

class WalCheckpointer {
  public:
    static constexpr int kPassiveFrames = 1000;  // SQLite's own automatic threshold
    static constexpr int kRestartFrames = 4096;

    // Checkpoints the database at `path`, of which `writer` is the writing connection, from a
    // connection of its own. `writer` must outlive this object. Throws blackbox::Error
    // (kDatabaseError) when the database cannot be opened.
    WalCheckpointer(SQLite::Database& writer, const std::filesystem::path& path);
    ~WalCheckpointer();  // stops the thread; gives the writer its automatic checkpoint back
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    // To be called by the writer's thread with no transaction open.
    void restart_if_long();

    // Checkpoints run so far by the thread (for tests).
    int checkpoints() const { return checkpoints_.load(); }

  private:
    static int on_commit(void* self, sqlite3* database, const char* name, int frames);
    void run();

    SQLite::Database& writer_;
    SQLite::Database own_;
    std::mutex mutex_;
    std::condition_variable wake_;
    int frames_ = 0;                   // the log's length after the last commit; under mutex_
    std::atomic<int> log_frames_ = 0;  // the same, for restart_if_long()
    std::mutex checkpointing_;         // one checkpoint at a time, the thread's or the writer's
    bool stopping_ = false;
    std::atomic<int> checkpoints_ = 0;
    std::thread thread_;  // last: started once the rest is ready
};

}  // namespace blackbox::store
