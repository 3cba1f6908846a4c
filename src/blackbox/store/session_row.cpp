#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/store/iso_time.hpp>
#include <blackbox/store/md5_hex.hpp>
#include <blackbox/store/session_row.hpp>

namespace blackbox::store {

namespace {

using nlohmann::json;

// pytest-monitor's collect_ci_info() (sys_utils.py) over the variables set: the first system
// whose two variables are set, its branch, build number and name as it writes them.
json monitor_ci_fields(const json& environ) {
    auto set = [&](const char* name) { return environ.contains(name); };
    auto value = [&](const char* name) {
        const auto& v = environ[name];
        return v.is_string() ? v.get<std::string>() : std::string();
    };
    auto fields = [](std::string branch, std::string build, const char* name) {
        return json{{"pipeline_branch", std::move(branch)},
                    {"pipeline_build_no", std::move(build)},
                    {"__ci__", name}};
    };
    if (set("BUILD_NUMBER") && (set("BRANCH_NAME") || set("JOB_NAME"))) {
        return fields(set("BRANCH_NAME") ? value("BRANCH_NAME") : value("JOB_NAME"),
                      value("BUILD_NUMBER"), "jenkinsci");
    }
    if (set("CIRCLE_JOB") && set("CIRCLE_BUILD_NUM")) {
        return fields(value("CIRCLE_JOB"), value("CIRCLE_BUILD_NUM"), "circleci");
    }
    if (set("TRAVIS_BUILD_NUMBER") && set("TRAVIS_BUILD_ID")) {
        return fields(value("TRAVIS_BUILD_ID"), value("TRAVIS_BUILD_NUMBER"), "travisci");
    }
    if (set("DRONE_REPO_BRANCH") && set("DRONE_BUILD_NUMBER")) {
        return fields(value("DRONE_REPO_BRANCH"), value("DRONE_BUILD_NUMBER"), "droneci");
    }
    if (set("CI_JOB_NAME") && set("CI_PIPELINE_ID")) {
        return fields(value("CI_JOB_NAME"), value("CI_PIPELINE_ID"), "gitlabci");
    }
    if (set("BITBUCKET_BRANCH") && set("BITBUCKET_BUILD_NUMBER")) {
        return fields(value("BITBUCKET_BRANCH"), value("BITBUCKET_BUILD_NUMBER"), "bitbucketci");
    }
    return json::object();
}

// Its CI fields as its collect_ci_info() sets them, from the variables the plugin recorded
// (pytest_monitor.environ); for a journal without them (an older plugin), from the context's CI.
json ci_fields(const json& context) {
    if (!context.is_object()) {
        return json::object();
    }
    if (auto facts = context.find("pytest_monitor"); facts != context.end() && facts->is_object()) {
        if (auto environ = facts->find("environ");
            environ != facts->end() && environ->is_object()) {
            return monitor_ci_fields(*environ);
        }
    }
    json doc = json::object();
    auto ci = context.find("ci");
    if (ci != context.end() && ci->is_object()) {
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

// pytest-monitor's description object as its code (session.py) writes it: the message under
// `description` (its documentation shows `msg`, which readers still take), the tags, and the
// CI's facts under the keys it used.
json description(const postmortem::RunModel& run) {
    // The CI's fields first, the message and the tags after (a tag of the same name wins), in
    // its order.
    json doc = ci_fields(run.context);
    const auto& monitor = run.monitor;
    if (monitor.description) {
        doc["description"] = *monitor.description;
    }
    for (const auto& [key, value] : monitor.tags) {
        doc[key] = value;
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
