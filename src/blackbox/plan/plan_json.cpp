#include <blackbox/plan/plan_json.hpp>

namespace blackbox::plan {

namespace {

std::string_view algorithm_name(Algorithm algorithm) {
    return algorithm == Algorithm::least_duration ? "least_duration" : "duration_based_chunks";
}

nlohmann::json optional_bytes(const std::optional<std::int64_t>& bytes) {
    return bytes ? nlohmann::json(*bytes) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json plan_json(const Plan& plan, const std::vector<TestCost>& suite,
                         const PlanOrigin& origin) {
    const auto& request = plan.request;
    nlohmann::json shards = nlohmann::json::array();
    for (std::size_t k = 0; k < plan.shards.size(); ++k) {
        const auto& shard = plan.shards[k];
        shards.push_back({{"shard", k + 1},
                          {"workers", shard.workers},
                          {"duration_s", shard.duration_s},
                          {"overhead_s", shard.overhead_s},
                          {"expected_wall_s", shard.expected_wall_s()},
                          {"expected_peak_bytes", shard.peak_bytes},
                          {"within_budget", shard.within_budget},
                          {"tests", shard.tests},
                          {"heavy", shard.heavy}});
    }
    nlohmann::json figures = nlohmann::json::object();
    for (const auto& test : suite) {
        figures[test.nodeid] = {
            {"duration_s", test.duration_s ? nlohmann::json(*test.duration_s) : nullptr},
            {"peak_bytes", optional_bytes(test.peak_bytes)}};
    }
    nlohmann::json overhead = nlohmann::json::object();
    for (std::size_t workers = 1; workers < origin.overhead.size(); ++workers) {
        const auto& cost = origin.overhead[workers];
        overhead[std::to_string(workers)] = {{"startup_s", cost.startup_s},
                                             {"collection_s", cost.collection_s},
                                             {"finish_s", cost.finish_s},
                                             {"sessions", cost.sessions},
                                             {"from_workers", cost.from_workers}};
    }
    nlohmann::json isolate = nullptr;
    if (request.heavy_above) {
        isolate = {{"threshold_bytes", *request.heavy_above}, {"group", kHeavyGroup}};
    }
    return {{"format", "blackbox-plan"},
            {"version", 1},
            {"created", origin.created},
            {"algorithm", algorithm_name(request.algorithm)},
            {"shard_count", plan.shards.size()},
            {"memory_budget_bytes", optional_bytes(request.memory_budget)},
            {"memory_kept", plan.memory_kept},
            {"workers_max", request.workers_max},
            {"workers_max_from", origin.workers_from_cpu_count ? "cpu_count" : "option"},
            {"controller_bytes", plan.controller_bytes},
            {"isolate_heavy", isolate},
            {"average_duration_s", plan.average_duration_s},
            {"overhead", overhead},
            {"history",
             {{"database", origin.database},
              {"sessions", origin.run_ids},
              {"cpu_count", origin.cpu_count ? nlohmann::json(*origin.cpu_count) : nullptr},
              {"tests_measured", plan.tests_measured},
              {"tests_without_history", plan.tests_without_history}}},
            {"shards", shards},
            {"figures", figures}};
}

}  // namespace blackbox::plan
