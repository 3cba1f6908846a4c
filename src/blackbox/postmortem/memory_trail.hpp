#pragma once

// Joins the supervisor's memory trail (samples.jsonl) with the tests: each test's tree peak and
// growth (in RSS, and without double counting: RunMemory::tree_measure), the memory of each
// dying process at the last sample, the trail's last seconds, and the trail's evidence of OOM
// kills (memory_suspect.hpp weighs it). Streams the trail: a day of samples is never held whole.

#include <filesystem>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// How much of the trail's end `RunMemory::before_end` keeps.
inline constexpr std::int64_t kBeforeEndNs = 10'000'000'000;

// Fills `run.memory` (but its suspect), the tests' tree figures (peak_tree_rss_bytes,
// tree_rss_growth_bytes, peak_tree_pss_bytes, tree_pss_added_bytes, tree_pss_growth_bytes)
// and the crashes' rss_bytes and memory_at/memory_before from `samples`; leaves them unset when
// the trail is missing.
void add_memory_trail(RunModel& run, const std::filesystem::path& samples);

}  // namespace blackbox::postmortem
