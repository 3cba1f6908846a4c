#pragma once

// execvp's PATH search, done before anything is created, so "command not found" is known before
// a run directory exists and the child can be started with execve (no search after fork).

#include <filesystem>
#include <optional>
#include <string>

namespace blackbox::supervise {

// The executable `name` designates: `name` itself when it contains a slash, else the first
// `dir/name` over the colon-separated directories of `path_env` (an empty entry means the
// working directory, as execvp reads PATH). nullopt when there is none, or when the file found is
// not a regular file executable by us. Never throws (std::bad_alloc aside).
std::optional<std::filesystem::path> find_executable(const std::string& name,
                                                     const std::string& path_env);

// The search path to use when the environment has no PATH (confstr(_CS_PATH), as execvp does).
std::string default_search_path();

}  // namespace blackbox::supervise
