#pragma once

// The plan file (docs/formats/plan.md): what each shard's CI job passes to pytest with
// `--blackbox-shard-plan FILE --blackbox-shard K`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/plan/overhead.hpp>
#include <blackbox/plan/plan.hpp>

namespace blackbox::plan {

// The xdist group of the heavy tests (`pytest.mark.xdist_group`), for `--dist loadgroup`.
inline constexpr const char* kHeavyGroup = "blackbox-heavy";

// Where the history came from, recorded in the file for people.
struct PlanOrigin {
    std::string database;
    std::vector<std::string> run_ids;
    std::string created;                    // ISO 8601 UTC
    std::optional<std::int64_t> cpu_count;  // the history's runners' (the smallest)
    bool workers_from_cpu_count = false;    // --workers-max was not given: the CPU count chose
    std::vector<Overhead> overhead;         // what the request's overhead_s came from, index W
};

nlohmann::json plan_json(const Plan& plan, const std::vector<TestCost>& suite,
                         const PlanOrigin& origin);

}  // namespace blackbox::plan
