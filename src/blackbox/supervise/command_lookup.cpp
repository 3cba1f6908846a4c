#include <sys/stat.h>
#include <unistd.h>

#include <blackbox/supervise/command_lookup.hpp>

namespace blackbox::supervise {

namespace {

bool is_executable_file(const std::filesystem::path& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<std::filesystem::path> find_executable(const std::string& name,
                                                     const std::string& path_env) {
    if (name.empty()) {
        return std::nullopt;
    }
    if (name.find('/') != std::string::npos) {
        if (is_executable_file(name)) {
            return std::filesystem::path(name);
        }
        return std::nullopt;
    }
    std::string::size_type start = 0;
    for (;;) {
        auto end = path_env.find(':', start);
        auto directory = path_env.substr(start, end == std::string::npos ? end : end - start);
        auto candidate = std::filesystem::path(directory.empty() ? "." : directory) / name;
        if (is_executable_file(candidate)) {
            return candidate;
        }
        if (end == std::string::npos) {
            return std::nullopt;
        }
        start = end + 1;
    }
}

std::string default_search_path() {
    std::size_t size = ::confstr(_CS_PATH, nullptr, 0);
    if (size == 0) {
        return "/bin:/usr/bin";
    }
    std::string path(size, '\0');
    ::confstr(_CS_PATH, path.data(), size);
    path.resize(size - 1);  // confstr counts the terminating NUL
    return path;
}

}  // namespace blackbox::supervise
