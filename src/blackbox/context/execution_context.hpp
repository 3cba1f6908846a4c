#pragma once

// The execution context recorded in run.json under "context" at the start of every run: which
// machine, system, CPU, memory, directory, commit and CI ran the tests. In plain-pytest mode the
// plugin records the facts instead, and the context is gathered from them when the run is read
// (recorded_sources.hpp); docs/formats/context.md defines every key.

#include <nlohmann/json.hpp>

#include <blackbox/context/sources.hpp>

namespace blackbox::context {

// The context object, with exactly the keys of docs/formats/context.md: hostname, kernel,
// machine, os, termux_version, cpu, memory_total_bytes, cwd, git, ci. Whatever cannot be read
// (a file hidden on Android, no git, no CI) is null, never an error: never throws for a missing
// source. Runs up to three git commands through `sources.run` (each bounded by the Sources).
nlohmann::json gather_execution_context(const Sources& sources);

}  // namespace blackbox::context
