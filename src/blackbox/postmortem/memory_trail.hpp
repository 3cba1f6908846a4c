#pragma once

// Joins the supervisor's memory trail (samples.jsonl) with the tests: each test's tree peak and
// growth, the memory of each dying process at the last sample, the trail's last seconds, and
// the test that grew the tree most before a crash when it is not the one that died ("cause or
// casualty"). Streams the trail: a day of samples is never held whole.

#include <filesystem>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// How much of the trail's end `RunMemory::before_end` keeps.
inline constexpr std::int64_t kBeforeEndNs = 10'000'000'000;

// Fills `run.memory`, the tests' peak_tree_rss_bytes/tree_rss_growth_bytes and the crashes'
// rss_bytes from `samples`; leaves them unset when the trail is missing.
void add_memory_trail(RunModel& run, const std::filesystem::path& samples);

}  // namespace blackbox::postmortem
