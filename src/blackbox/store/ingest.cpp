#include <SQLiteCpp/Transaction.h>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/ingest.hpp>
#include <blackbox/store/iso_time.hpp>
#include <blackbox/store/run_rows.hpp>
#include <blackbox/store/run_writer.hpp>

namespace blackbox::store {

namespace {

using postmortem::RunModel;

IngestSummary write_run(SQLite::Database& database, const RunModel& run) {
    const auto context = execution_context_row(run.context);
    const auto session = session_row(run);
    IngestSummary summary;
    summary.session_h = session.session_h;

    // Immediate: take the write lock before reading anything, so two ingests never deadlock
    // upgrading their read locks; the busy timeout queues them.
    SQLite::Transaction transaction(database, SQLite::TransactionBehavior::IMMEDIATE);
    RunWriter writer(database, session.session_h, context.env_h);
    writer.remove_previous();
    writer.write_context(context);
    writer.write_session(session);
    std::error_code error;
    auto dir = std::filesystem::absolute(run.dir, error).lexically_normal();
    writer.write_run(run, session,
                     RunFacts{dir.string(), iso_utc(static_cast<double>(base::wall_ns()) / 1e9)});
    const auto rows = write_test_rows(run, writer);
    summary.tests = rows.tests;
    summary.metrics = rows.metrics;
    for (const auto& crash : run.crashes) {
        writer.write_crash(crash);
        ++summary.crashes;
    }
    transaction.commit();
    return summary;
}

}  // namespace

IngestSummary ingest_run(SQLite::Database& database, const RunModel& run) {
    try {
        return write_run(database, run);
    } catch (const SQLite::Exception& failure) {
        throw Error(fmt::format("cannot store the run {} in {}: {}", run.dir.string(),
                                database.getFilename(), failure.what()),
                    kDatabaseError);
    }
}

IngestSummary ingest_run_directory(SQLite::Database& database, const std::filesystem::path& dir) {
    return ingest_run(database, postmortem::load_run(dir));
}

}  // namespace blackbox::store
