#pragma once

// Injecting the bundled pytest plugin into any Python without installing anything: the
// package's directory goes first on PYTHONPATH, `pytest_blackbox.plugin` is added to
// PYTEST_PLUGINS, and the run directory is passed in BLACKBOX_* variables. The user's own
// PYTHONPATH and PYTEST_PLUGINS are kept. The plugin loads the native stacks' handlers
// (libblackbox_native.so, docs/formats/native-stacks.md) from BLACKBOX_NATIVE_LIB.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace blackbox::plugin {

inline constexpr const char* kPluginModule = "pytest_blackbox.plugin";
inline constexpr const char* kNativeLibraryVariable = "BLACKBOX_NATIVE_LIB";

// The directory holding the `pytest_blackbox` package: $BLACKBOX_PLUGIN_PATH when set, else
// `<exe dir>/../share/blackbox/python` (installed and build trees share that layout).
// nullopt when the package is not there.
std::optional<std::filesystem::path> find_plugin_directory(const std::filesystem::path& executable);

// The native stacks' handler library beside the binary, `<exe dir>/../lib/blackbox/
// libblackbox_native.so` (where the build and `cmake --install` put it); nullopt when it is not
// there.
std::optional<std::filesystem::path> find_native_library(const std::filesystem::path& executable);

struct Injection {
    std::filesystem::path plugin_dir;
    std::filesystem::path run_dir;
    int attempt = 1;
    bool fsync = false;
    bool unbuffered = false;     // PYTHONUNBUFFERED=1 (output through pipes)
    std::string capture_socket;  // BLACKBOX_CAPTURE_SOCKET: the capture keeper's mailbox ("": none)
    // BLACKBOX_NATIVE_LIB, unless the user set it ("": leave it alone).
    std::filesystem::path native_library;
    // BLACKBOX_MAX_RESTARTS: the supervisor may restart pytest, whose plugin then keeps other
    // plugins' outputs across attempts (0: removed, an inherited one is an outer run's).
    int max_restarts = 0;
};

// The child's environment: `parent` ("KEY=VALUE" entries) with the injection applied.
std::vector<std::string> inject(const std::vector<std::string>& parent, const Injection& injection);

// This process's environment as "KEY=VALUE" entries.
std::vector<std::string> current_environment();

}  // namespace blackbox::plugin
