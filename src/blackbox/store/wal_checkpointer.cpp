#include <sqlite3.h>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/wal_checkpointer.hpp>

namespace blackbox::store {

namespace {

SQLite::Database open_own(const std::filesystem::path& path) {
    try {
        SQLite::Database database(path.string(), SQLite::OPEN_READWRITE);
        database.setBusyTimeout(store::kBusyTimeoutMs);
        database.exec("PRAGMA cache_size = -1024");  // a checkpoint reads the log, not the cache
        return database;
    } catch (const SQLite::Exception& failure) {
        throw Error(
            fmt::format("cannot open the metrics database {}: {}", path.string(), failure.what()),
            kDatabaseError);
    }
}

}  // namespace

WalCheckpointer::WalCheckpointer(SQLite::Database& writer, const std::filesystem::path& path)
    : writer_(writer), own_(open_own(path)) {
    sqlite3_wal_hook(writer_.getHandle(), &WalCheckpointer::on_commit, this);
    thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    sqlite3_wal_autocheckpoint(writer_.getHandle(), kPassiveFrames);
}

// Called by SQLite in the writer's thread after a commit, its locks released: only a notice.
int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int frames) {
    auto* checkpointer = static_cast<WalCheckpointer*>(self);
    bool due = false;
    checkpointer->log_frames_.store(frames);
    {
        std::lock_guard lock(checkpointer->mutex_);
        checkpointer->frames_ = frames;
        due = frames >= kPassiveFrames;
    }
    if (due) {
        checkpointer->wake_.notify_one();
    }
    return SQLITE_OK;
}

void WalCheckpointer::restart_if_long() {
    if (log_frames_.load() < kRestartFrames) {
        return;
    }
    // After the thread's checkpoint, if one runs (SQLite would answer busy): a few ms.
    std::lock_guard checkpointing(checkpointing_);
    int log = 0;
    int copied = 0;
    if (sqlite3_wal_checkpoint_v2(writer_.getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                  &copied) == SQLITE_OK &&
        log == copied) {
        log_frames_.store(0);
    }
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || frames_ >= kPassiveFrames; });
        if (stopping_) {
            return;
        }
        frames_ = 0;  // until the next commit says otherwise
        lock.unlock();
        {
            // The outcome is not needed: a busy or failed checkpoint is tried again after the
            // next commit.
            std::lock_guard checkpointing(checkpointing_);
            sqlite3_wal_checkpoint_v2(own_.getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                      nullptr);
        }
        checkpoints_.fetch_add(1);
        lock.lock();
    }
}

}  // namespace blackbox::store
