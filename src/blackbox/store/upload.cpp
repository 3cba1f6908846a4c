#include <blackbox/store/upload.hpp>

namespace blackbox::store {

void set_counts(RunRow& row, const postmortem::Counts& counts) {
    auto n = [](std::size_t value) { return static_cast<std::int64_t>(value); };
    row.collected = n(counts.collected);
    row.passed = n(counts.passed);
    row.failed = n(counts.failed);
    row.skipped = n(counts.skipped);
    row.xfailed = n(counts.xfailed);
    row.xpassed = n(counts.xpassed);
    row.errors = n(counts.errors);
    row.crashed = n(counts.crashed);
    row.not_run = n(counts.not_run);
}

}  // namespace blackbox::store
