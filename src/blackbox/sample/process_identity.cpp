#include <ctime>
#include <unistd.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/process_identity.hpp>

namespace blackbox::sample {

namespace {

std::int64_t clock_ns(clockid_t id) {
    timespec ts{};
    ::clock_gettime(id, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

std::optional<std::string> boot_id() {
    auto text = base::read_file("/proc/sys/kernel/random/boot_id");
    if (!text) {
        return std::nullopt;
    }
    auto id = std::string(base::trim(*text));
    if (id.empty()) {
        return std::nullopt;
    }
    return id;
}

std::int64_t start_monotonic_ns(std::uint64_t starttime_ticks) {
    const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
    const auto hz = static_cast<std::uint64_t>(ticks_per_second > 0 ? ticks_per_second : 100);
    const auto boot_ns = static_cast<std::int64_t>(starttime_ticks / hz * 1'000'000'000 +
                                                   starttime_ticks % hz * 1'000'000'000 / hz);
    const std::int64_t suspended = clock_ns(CLOCK_BOOTTIME) - clock_ns(CLOCK_MONOTONIC);
    return boot_ns - suspended;
}

}  // namespace blackbox::sample
