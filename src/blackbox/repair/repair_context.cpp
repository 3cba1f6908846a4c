#include <chrono>
#include <ctime>
#include <filesystem>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/repair/repair_context.hpp>

namespace blackbox::repair {

RepairContext current_context() {
    RepairContext context;
    auto now = std::chrono::system_clock::now();
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    context.created_unix = static_cast<double>(micros) / 1e6;
    std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
    std::tm local{};
    ::localtime_r(&seconds, &local);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &local);
    context.timestamp = fmt::format("{}.{:06d}", buffer, micros % 1000000);
    std::error_code error;
    context.root = std::filesystem::current_path(error).string();
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) {
        context.hostname = host;
    }
    return context;
}

}  // namespace blackbox::repair
