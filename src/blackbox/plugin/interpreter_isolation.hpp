#pragma once

// Whether the command's Python ignores the environment through which the plugin is injected.
// `python3 -I` (isolated mode) and `python3 -E` ignore PYTHONPATH but pytest still reads
// PYTEST_PLUGINS: the plugin it names cannot be imported and pytest stops before collecting
// (exit 1). The supervisor checks the command before it runs it (docs/commands/run.md,
// "Isolated Python").

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace blackbox::plugin {

struct IsolatedInterpreter {
    // The interpreter and its options up to the one that hides PYTHONPATH: ["python3", "-I"]; run
    // with `-c CODE` after them, it searches the path the command's Python will search.
    std::vector<std::string> probe_prefix;
    std::string flag;  // "-I" or "-E", as written ("-IB" gives "-I")
    // Where it was found: "the command" or "the shebang of /path/to/script".
    std::string where;
};

// The interpreter options of `argv` (argv[0] a Python, its options after it) that make it ignore
// PYTHONPATH; nullopt when none does, or argv[0] is not a Python (python, python3, python3.11,
// pypy3, …, by its file name).
std::optional<IsolatedInterpreter> isolated_interpreter(const std::vector<std::string>& argv);

// The same for the command `command`, whose program is the file `program` (found in PATH): the
// command's own words when its program is a Python, else the `#!` line of `program` when it is a
// script (`#!/usr/bin/python3 -I`, `#!/usr/bin/env -S python3 -I`); nullopt when neither hides
// PYTHONPATH or the file cannot be read.
std::optional<IsolatedInterpreter> isolated_command(const std::vector<std::string>& command,
                                                    const std::filesystem::path& program);

}  // namespace blackbox::plugin
