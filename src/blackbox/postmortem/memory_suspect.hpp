#pragma once

// Cause or casualty: when a test dies of memory, the test that died is not always the one that
// took the memory — an earlier test may have kept hundreds of MiB, and the one that crashed
// only asked for a little more. The post-mortem names such an earlier test as a suspect, and
// only then: the death must be memory's (an OOM kill, the memory limit, or a SIGKILL with
// evidence of an OOM kill), and the growth real — kept to the end of the test (not a passing
// peak), measured without counting a page shared between processes twice (a forked child
// shares every page of its parent: its RSS doubles the tree's, its PSS does not), and large.

#include <optional>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// A growth below this is no suspect's.
inline constexpr std::int64_t kSuspectGrowth = 64LL * 1024 * 1024;

// Whether `crash` is a death of memory: its cause is "oom" or "memory_limit", or it is a
// SIGKILL with OOM evidence in the trail — the cgroup's OOM-kill count rose between the
// beginning of its phase and shortly after its death, the tree (or its cgroup) was within 10%
// of the memory limit at its last sample, or the machine had less than 3% of its memory
// available then.
bool memory_death(const RunModel& run, const Crash& crash);

// The suspect (RunModel::memory.suspect): among the tests that did not crash, ran in the
// attempt of a memory death and started before it, the one whose tree grew most across it
// (tree_pss_growth_bytes) when that is at least kSuspectGrowth. Call once the trail is read
// and the deaths are dated.
std::optional<std::size_t> memory_suspect(const RunModel& run);

}  // namespace blackbox::postmortem
