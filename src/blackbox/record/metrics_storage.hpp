#pragma once

// The last step of `blackbox run`: the run's rows into the metrics database
// (docs/formats/metrics-db.md). The database is a by-product: failing to write it never changes
// the run's exit status.

#include <filesystem>
#include <ostream>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::record {

// Ingests `run` into the database at `database` (created when missing) and says so in one line
// on `out`, naming the database relative to `relative_to`; a store error is said on `out`
// instead. Never throws.
void store_metrics(const postmortem::RunModel& run, const std::filesystem::path& database,
                   const std::filesystem::path& relative_to, std::ostream& out) noexcept;

}  // namespace blackbox::record
