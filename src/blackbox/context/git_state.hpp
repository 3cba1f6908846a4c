#pragma once

// The state of the git work tree the tests run in, asked of git itself (worktrees, submodules
// and packed refs make reading .git by hand unreliable).

#include <optional>
#include <string>

#include <blackbox/context/sources.hpp>

namespace blackbox::context {

struct GitState {
    std::optional<std::string> commit;  // full hash of HEAD; nullopt before the first commit
    std::optional<std::string> branch;  // short name of the checked-out branch; nullopt detached
    std::optional<bool> dirty;          // tracked files differ from HEAD; nullopt when unknown
};

// The work tree containing `directory` (the working directory when nullopt), through
// `sources.run`: `git rev-parse --verify --quiet HEAD`, `git symbolic-ref --quiet --short HEAD`
// and `git --no-optional-locks status --porcelain --untracked-files=no` (no index lock is taken,
// so a concurrent git command in the same tree never fails because of us). nullopt when git is
// missing or `directory` is not in a git repository. Never throws.
std::optional<GitState> probe_git(const Sources& sources,
                                  const std::optional<std::string>& directory);

}  // namespace blackbox::context
