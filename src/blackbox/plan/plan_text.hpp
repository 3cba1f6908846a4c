#pragma once

// The plan for people: one line per shard (tests, duration, workers, expected peak).

#include <string>

#include <blackbox/plan/plan.hpp>

namespace blackbox::plan {

std::string plan_text(const Plan& plan);

}  // namespace blackbox::plan
