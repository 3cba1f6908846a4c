#pragma once

// Under memory pressure the kernel's OOM killer picks the process with the highest badness: its
// memory share plus /proc/<pid>/oom_score_adj (-1000..1000). The command raises its own
// adjustment before exec (inherited by pytest, its workers and everything tests start), so that
// the supervisor — small, and the one that must write the post-mortem — is not the one picked.
// Raising needs no privilege; lowering does, and is never asked for.

#include <optional>

#include <blackbox/supervise/pre_exec_write.hpp>

namespace blackbox::limit {

// The default adjustment of the command.
constexpr int kDefaultOomScoreAdj = 500;

// The pre-exec write of `adj` to the child's /proc/self/oom_score_adj, when it raises
// `inherited` (ours); nullopt when `adj` is 0 (disabled) or not above it. The write is optional:
// a kernel without the file leaves the inherited value, and the command still runs. Throws
// blackbox::Error when `adj` is outside 0..1000.
std::optional<supervise::PreExecWrite> oom_score_adj_write(int adj, int inherited);

// This process's oom_score_adj; 0 when it cannot be read.
int current_oom_score_adj();

}  // namespace blackbox::limit
