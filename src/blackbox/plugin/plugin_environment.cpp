#include <algorithm>
#include <cstdlib>
#include <sstream>

#include <blackbox/plugin/plugin_environment.hpp>

extern char** environ;  // NOLINT: POSIX

namespace blackbox::plugin {

namespace fs = std::filesystem;

std::optional<fs::path> find_plugin_directory(const fs::path& executable) {
    std::vector<fs::path> candidates;
    if (const char* override_dir = std::getenv("BLACKBOX_PLUGIN_PATH")) {
        candidates.emplace_back(override_dir);
    }
    candidates.push_back(executable.parent_path() / ".." / "share" / "blackbox" / "python");
    for (const auto& candidate : candidates) {
        std::error_code error;
        if (fs::is_regular_file(candidate / "pytest_blackbox" / "plugin.py", error)) {
            return fs::weakly_canonical(candidate, error);
        }
    }
    return std::nullopt;
}

std::optional<fs::path> find_native_library(const fs::path& executable) {
    auto library = executable.parent_path() / ".." / "lib" / "blackbox" / "libblackbox_native.so";
    std::error_code error;
    if (!fs::is_regular_file(library, error)) {
        return std::nullopt;
    }
    auto canonical = fs::weakly_canonical(library, error);
    return error ? library : canonical;
}

std::vector<std::string> current_environment() {
    std::vector<std::string> entries;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        entries.emplace_back(*entry);
    }
    return entries;
}

namespace {

std::string key_of(const std::string& entry) {
    return entry.substr(0, entry.find('='));
}

std::optional<std::string> value_of(const std::vector<std::string>& env, const std::string& key) {
    for (const auto& entry : env) {
        if (key_of(entry) == key) {
            return entry.substr(key.size() + 1);
        }
    }
    return std::nullopt;
}

void set(std::vector<std::string>& env, const std::string& key, const std::string& value) {
    auto entry = key + "=" + value;
    for (auto& existing : env) {
        if (key_of(existing) == key) {
            existing = entry;
            return;
        }
    }
    env.push_back(entry);
}

bool lists_plugin(const std::string& plugins) {
    std::stringstream stream(plugins);
    std::string item;
    while (std::getline(stream, item, ',')) {
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (item == kPluginModule) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::vector<std::string> inject(const std::vector<std::string>& parent,
                                const Injection& injection) {
    std::vector<std::string> env = parent;
    auto pythonpath = value_of(env, "PYTHONPATH");
    set(env, "PYTHONPATH",
        injection.plugin_dir.string() +
            (pythonpath && !pythonpath->empty() ? ":" + *pythonpath : std::string()));
    auto plugins = value_of(env, "PYTEST_PLUGINS").value_or("");
    if (!lists_plugin(plugins)) {
        set(env, "PYTEST_PLUGINS", plugins.empty() ? kPluginModule : plugins + "," + kPluginModule);
    }
    set(env, "BLACKBOX_RUN_DIR", injection.run_dir.string());
    set(env, "BLACKBOX_ATTEMPT", std::to_string(injection.attempt));
    // The supervisor prints the post-mortem itself: the plugin leaves the terminal alone.
    set(env, "BLACKBOX_SUPERVISED", "1");
    if (injection.fsync) {
        set(env, "BLACKBOX_FSYNC", "1");
    }
    if (injection.unbuffered) {
        set(env, "PYTHONUNBUFFERED", "1");
    }
    // Set or removed: an inherited mailbox belongs to an outer run.
    std::erase_if(env, [](const std::string& entry) {
        return entry.starts_with("BLACKBOX_CAPTURE_SOCKET=");
    });
    if (!injection.capture_socket.empty()) {
        set(env, "BLACKBOX_CAPTURE_SOCKET", injection.capture_socket);
    }
    std::erase_if(
        env, [](const std::string& entry) { return entry.starts_with("BLACKBOX_MAX_RESTARTS="); });
    if (injection.max_restarts > 0) {
        set(env, "BLACKBOX_MAX_RESTARTS", std::to_string(injection.max_restarts));
    }
    if (!injection.native_library.empty() && !value_of(env, kNativeLibraryVariable)) {
        set(env, kNativeLibraryVariable, injection.native_library.string());
    }
    return env;
}

}  // namespace blackbox::plugin
