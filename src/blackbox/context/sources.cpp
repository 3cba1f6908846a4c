#include <cstdlib>
#include <filesystem>
#include <limits.h>
#include <limits>
#include <sys/utsname.h>
#include <system_error>
#include <unistd.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/context/command_output.hpp>
#include <blackbox/context/sources.hpp>

namespace blackbox::context {

namespace {

class SystemSources final : public Sources {
  public:
    std::optional<std::string> read_file(const std::string& path) const override {
        return base::read_file(path);
    }

    std::optional<std::string> getenv(const std::string& name) const override {
        const char* value = std::getenv(name.c_str());
        return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
    }

    std::optional<std::string> run(const std::vector<std::string>& argv) const override {
        return command_output(argv, CommandLimits{std::chrono::seconds(2), 64 * 1024});
    }

    std::optional<Uname> uname() const override {
        struct utsname uts {};
        if (::uname(&uts) != 0) {
            return std::nullopt;
        }
        return Uname{uts.sysname, uts.nodename, uts.release, uts.version, uts.machine};
    }

    std::optional<std::string> hostname() const override {
        char name[HOST_NAME_MAX + 1] = {};
        if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
            return std::nullopt;
        }
        return std::string(name);
    }

    std::optional<int> online_cpus() const override {
        long count = ::sysconf(_SC_NPROCESSORS_ONLN);
        if (count <= 0 || count > std::numeric_limits<int>::max()) {
            return std::nullopt;
        }
        return static_cast<int>(count);
    }

    std::optional<std::string> cwd() const override {
        std::error_code error;
        std::filesystem::path path = std::filesystem::current_path(error);
        if (error) {
            return std::nullopt;
        }
        return path.string();
    }
};

}  // namespace

const Sources& system_sources() {
    static const SystemSources sources;
    return sources;
}

}  // namespace blackbox::context
