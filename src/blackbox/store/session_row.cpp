#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/store/iso_time.hpp>
#include <blackbox/store/md5_hex.hpp>
#include <blackbox/store/session_row.hpp>

namespace blackbox::store {

namespace {

using nlohmann::json;

// pytest-monitor's description object as its code (session.py) writes it: the message under
// `description` (its documentation shows `msg`, which readers still take), the tags, and the
// CI's facts under the keys it used.
json description(const postmortem::RunModel& run) {
    json doc = json::object();
    const auto& monitor = run.monitor;
    if (monitor.description) {
        doc["description"] = *monitor.description;
    }
    for (const auto& [key, value] : monitor.tags) {
        doc[key] = value;
    }
    auto ci = run.context.is_object() ? run.context.find("ci") : run.context.end();
    if (ci != run.context.end() && ci->is_object()) {
        auto copy = [&](const char* from, const char* to) {
            if (auto it = ci->find(from); it != ci->end() && it->is_string()) {
                doc[to] = *it;
            }
        };
        copy("branch", "pipeline_branch");
        copy("build", "pipeline_build_no");
        copy("name", "__ci__");
    }
    return doc;
}

std::string git_commit(const json& context) {
    if (!context.is_object()) {
        return {};
    }
    auto git = context.find("git");
    if (git == context.end() || !git->is_object()) {
        return {};
    }
    auto commit = git->find("commit");
    return commit != git->end() && commit->is_string() ? commit->get<std::string>() : std::string();
}

}  // namespace

std::optional<double> run_start_wall(const postmortem::RunModel& run) {
    if (run.clock && run.started_ns) {
        return run.clock->wall_at(*run.started_ns);
    }
    if (run.started) {
        if (auto wall_ns = base::parse_iso8601_utc(*run.started)) {
            return static_cast<double>(*wall_ns) / 1e9;
        }
    }
    if (run.clock) {
        return run.clock->wall_s;  // a run recorded by the plugin alone: its first process
    }
    return std::nullopt;
}

SessionRow session_row(const postmortem::RunModel& run) {
    SessionRow row;
    // (dir / "").parent_path(): the directory itself, with or without a trailing slash.
    row.run_id = run.id.empty() ? (run.dir / "").parent_path().filename().string() : run.id;
    if (auto wall = run_start_wall(run)) {
        row.run_date = iso_utc(*wall);
    }
    row.scm_id = git_commit(run.context);
    row.run_description = base::json_text(description(run));
    row.session_h =
        md5_hex(fmt::format("{}\n{}\n{}", row.run_id, row.run_date, row.run_description));
    return row;
}

}  // namespace blackbox::store
