#include <set>
#include <string_view>

#include <blackbox/postmortem/run_settings.hpp>

namespace blackbox::postmortem {

namespace {

constexpr int kFirstAttempt = 1;

// The value of pytest's `--blackbox-shard K` (or `--blackbox-shard=K`) among its arguments.
std::optional<std::string> shard_argument(const nlohmann::json& args) {
    constexpr std::string_view kOption = "--blackbox-shard";
    if (!args.is_array()) {
        return std::nullopt;
    }
    std::optional<std::string> shard;
    for (auto it = args.begin(); it != args.end(); ++it) {
        if (!it->is_string()) {
            continue;
        }
        const auto& arg = it->get_ref<const std::string&>();
        if (arg == kOption && std::next(it) != args.end() && std::next(it)->is_string()) {
            shard = std::next(it)->get<std::string>();
        } else if (arg.size() > kOption.size() && arg.starts_with(kOption) &&
                   arg[kOption.size()] == '=') {
            shard = arg.substr(kOption.size() + 1);
        }
    }
    return shard;
}

}  // namespace

RunSettings run_settings(const std::vector<journal::ProcessReplay>& replays, const RunModel& run) {
    std::int64_t first_test = 0;
    for (const auto& test : run.tests) {
        if (test.attempt == kFirstAttempt && test.setup && test.setup->begin_ns != 0 &&
            (first_test == 0 || test.setup->begin_ns < first_test)) {
            first_test = test.setup->begin_ns;
        }
    }
    RunSettings settings;
    std::set<std::string> workers;
    for (const auto& replay : replays) {
        if (replay.files.attempt != kFirstAttempt || !replay.start.is_object()) {
            continue;
        }
        if (replay.files.is_worker()) {
            if (first_test == 0 || replay.first_ns < first_test) {
                workers.insert(replay.files.role);
            }
        } else {
            settings.shard = shard_argument(replay.start.value("args", nlohmann::json()));
        }
        if (auto fsync = replay.start.find("fsync");
            fsync != replay.start.end() && fsync->is_boolean() && fsync->get<bool>()) {
            settings.fsync = true;
        }
    }
    settings.workers = workers.size();
    return settings;
}

}  // namespace blackbox::postmortem
