#include <nlohmann/json.hpp>

#include <blackbox/base/json_text.hpp>
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

std::string run_settings_json(const postmortem::RunSettings& settings) {
    nlohmann::ordered_json json;
    json["workers"] = settings.workers;
    if (settings.fsync) {
        json["fsync"] = true;
    }
    if (settings.shard) {
        json["shard"] = *settings.shard;
    }
    return base::json_text(json);
}

void set_settings_and_course(RunRow& row, const postmortem::RunModel& run) {
    row.settings = run_settings_json(run.settings);
    row.startup_s = run.course.startup_s;
    row.collection_s = run.course.collection_s;
    row.finish_s = run.course.finish_s;
}

}  // namespace blackbox::store
