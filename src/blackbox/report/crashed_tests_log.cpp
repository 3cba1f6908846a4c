#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <set>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/report/crashed_tests_log.hpp>

namespace blackbox::report {

namespace {

using nlohmann::json;
using postmortem::Crash;

constexpr const char* kGpuVariable = "HIP_VISIBLE_DEVICES";

bool is_test_crash(const Crash& crash) {
    return crash.nodeid && !crash.collateral &&
           (crash.phase == "setup" || crash.phase == "call" || crash.phase == "teardown");
}

// The names part of a node id (after the file, before the parameters) and where it starts.
std::pair<std::string, std::size_t> names_of(const std::string& nodeid) {
    auto start = nodeid.find("::");
    if (start == std::string::npos) {
        return {nodeid, 0};
    }
    start += 2;
    auto bracket = nodeid.find('[', start);
    return {
        nodeid.substr(start, bracket == std::string::npos ? std::string::npos : bracket - start),
        start};
}

std::string what_happened(const Crash& crash) {
    const auto& cause = crash.cause;
    if (cause == "segfault") {
        return "segmentation fault";
    }
    if (cause == "abort") {
        return "abort";
    }
    if (cause == "bus_error") {
        return "bus error";
    }
    if (cause == "fpe") {
        return "floating-point exception";
    }
    if (cause == "illegal_instruction") {
        return "illegal instruction";
    }
    if (cause == "oom") {
        return "killed by the kernel's OOM killer";
    }
    if (cause == "memory_limit") {
        return "killed at the memory limit";
    }
    if (cause == "hang") {
        return "hung, killed by the hang watchdog";
    }
    if (cause == "exit") {
        return "the process exited";
    }
    if (cause == "killed") {
        return "killed";
    }
    return "the process died";
}

struct Clocks {
    std::int64_t wall_ns;
    std::int64_t mono_ns;
};

Clocks clocks_of(const CrashedTestsLogOptions& options) {
    if (options.now_wall_ns != 0 || options.now_ns != 0) {
        return {options.now_wall_ns, options.now_ns};
    }
    return {base::wall_ns(), base::monotonic_ns()};
}

std::string gpu_id_of(const CrashedTestsLogOptions& options) {
    if (options.gpu_id) {
        return *options.gpu_id;
    }
    const char* value = std::getenv(kGpuVariable);
    return value != nullptr ? std::string(value) : std::string("unknown");
}

// pytest-abort's `json.dumps(payload, ensure_ascii=False)`: ", " and ": " between items.
std::string line_of(const std::vector<std::pair<const char*, json>>& items) {
    std::string line = "{";
    const char* separator = "";
    for (const auto& [key, value] : items) {
        line += separator;
        line += base::json_text(json(key));
        line += ": ";
        line += base::json_text(value);
        separator = ", ";
    }
    line += "}\n";
    return line;
}

std::string crash_line(const Crash& crash, const std::string& gpu_id, const Clocks& now) {
    // pytest-abort's log holds text: a node id that is not UTF-8 in its text form ("\\xNN").
    const std::string nodeid = base::name_text(*crash.nodeid);
    // The death as the post-mortem dated it; else the process was alive at its last sample and
    // when its phase began: the later of the two is the best known moment of the death.
    json duration = nullptr;
    std::int64_t last_alive_ns = crash.since_ns;
    if (crash.died_ns && crash.since_ns > 0 && *crash.died_ns >= crash.since_ns) {
        last_alive_ns = *crash.died_ns;
        double seconds = static_cast<double>(last_alive_ns - crash.since_ns) / 1e9;
        duration = std::round(seconds * 1e6) / 1e6;
    } else if (crash.memory_at && crash.memory_at->ns > last_alive_ns) {
        last_alive_ns = crash.memory_at->ns;
        if (crash.since_ns > 0) {
            double seconds = static_cast<double>(last_alive_ns - crash.since_ns) / 1e9;
            duration = std::round(seconds * 1e6) / 1e6;
        }
    }
    std::int64_t death_wall_ns =
        last_alive_ns > 0 ? now.wall_ns - (now.mono_ns - last_alive_ns) : now.wall_ns;
    auto test_class = test_class_of(nodeid);
    return line_of({
        {"test_name", test_name_of(nodeid)},
        {"test_class", test_class ? json(*test_class) : json(nullptr)},
        {"nodeid", nodeid},
        {"reason", crash_reason(crash)},
        {"crash_time", local_iso_time(death_wall_ns)},
        {"duration", duration},
        {"gpu_id", gpu_id},
        {"pid", crash.pid > 0 ? std::to_string(crash.pid) : std::string("unknown")},
        {"source", crash.worker ? "xdist:" + *crash.worker : std::string("blackbox")},
        {"logged_at", local_iso_time(now.wall_ns)},
    });
}

// What identifies a crash already in a log: (nodeid, pid) and (nodeid, source).
struct Logged {
    std::set<std::pair<std::string, std::string>> by_pid, by_source;

    bool has(const std::string& line) const {
        auto parsed = json::parse(line, nullptr, false);
        auto nodeid = parsed.value("nodeid", std::string());
        auto pid = parsed.value("pid", std::string());
        return by_pid.count({nodeid, pid}) != 0 ||
               by_source.count({nodeid, parsed.value("source", std::string())}) != 0;
    }
};

// A value of a line written by anyone: strings as they are, numbers as their text.
std::string text_at(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) {
        return {};
    }
    if (it->is_string()) {
        return it->get<std::string>();
    }
    return it->is_number() ? base::json_text(*it) : std::string();
}

Logged logged_in(const std::string& content) {
    Logged logged;
    std::size_t start = 0;
    while (start < content.size()) {
        auto end = content.find('\n', start);
        auto line = content.substr(start, end == std::string::npos ? end : end - start);
        start = end == std::string::npos ? content.size() : end + 1;
        auto parsed = json::parse(line, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) {
            continue;
        }
        auto nodeid = text_at(parsed, "nodeid");
        auto pid = text_at(parsed, "pid");
        if (!pid.empty() && pid != "unknown") {
            logged.by_pid.emplace(nodeid, pid);
        } else {
            logged.by_source.emplace(nodeid, text_at(parsed, "source"));
        }
    }
    return logged;
}

std::string read_all(int fd) {
    std::string content;
    char buffer[65536];
    off_t offset = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return content;  // an unreadable log is appended to as if it were empty
        }
        content.append(buffer, static_cast<std::size_t>(n));
        offset += n;
    }
}

}  // namespace

std::string test_name_of(const std::string& nodeid) {
    auto [names, start] = names_of(nodeid);
    auto last = names.rfind("::");
    return nodeid.substr(last == std::string::npos ? start : start + last + 2);
}

std::optional<std::string> test_class_of(const std::string& nodeid) {
    auto [names, start] = names_of(nodeid);
    auto last = names.rfind("::");
    if (start == 0 || last == std::string::npos) {
        return std::nullopt;
    }
    return names.substr(0, last);
}

std::string crash_reason(const Crash& crash) {
    std::string where = fmt::format("Test crashed in the {} phase", crash.phase);
    if (crash.fixture) {
        where += fmt::format(" (fixture {})", *crash.fixture);
    }
    std::string what = what_happened(crash);
    if (crash.signal) {
        what += fmt::format(" ({}, signal {})", base::signal_name(*crash.signal), *crash.signal);
    } else if (crash.exit_code) {
        what += fmt::format(" with code {}", *crash.exit_code);
    }
    if (crash.worker) {
        what += fmt::format(", in xdist worker {}", *crash.worker);
    }
    return fmt::format("{}: {}", where, what);
}

std::string local_iso_time(std::int64_t wall_ns) {
    std::time_t seconds = static_cast<std::time_t>(wall_ns / 1'000'000'000);
    std::int64_t micros = (wall_ns % 1'000'000'000) / 1000;
    if (micros < 0) {
        seconds -= 1;
        micros += 1'000'000;
    }
    std::tm t{};
    ::localtime_r(&seconds, &t);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}", t.tm_year + 1900, t.tm_mon + 1,
                       t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, micros);
}

std::vector<std::string> crashed_tests_lines(const postmortem::RunModel& run,
                                             const CrashedTestsLogOptions& options) {
    std::vector<std::string> lines;
    auto gpu_id = gpu_id_of(options);
    auto now = clocks_of(options);
    for (const auto& crash : run.crashes) {
        if (is_test_crash(crash)) {
            lines.push_back(crash_line(crash, gpu_id, now));
        }
    }
    return lines;
}

void write_crashed_tests_log(const postmortem::RunModel& run, const std::filesystem::path& file,
                             const CrashedTestsLogOptions& options) {
    std::string content;
    for (const auto& line : crashed_tests_lines(run, options)) {
        content += line;
    }
    base::write_file_atomically(file, content);
}

std::size_t append_crashed_tests_log(const postmortem::RunModel& run,
                                     const std::filesystem::path& file,
                                     const CrashedTestsLogOptions& options) {
    auto lines = crashed_tests_lines(run, options);
    if (lines.empty()) {
        return 0;
    }
    if (file.has_parent_path()) {
        std::error_code ignored;  // open() below says what is wrong
        std::filesystem::create_directories(file.parent_path(), ignored);
    }
    base::UniqueFd fd(::open(file.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) {
        throw Error(errno_message("cannot open the crashed-tests log " + file.string(), errno));
    }
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR) {
            break;  // no locking here (some network filesystems): append anyway
        }
    }
    auto existing = read_all(fd.get());
    auto logged = logged_in(existing);
    std::string content;
    std::size_t appended = 0;
    for (const auto& line : lines) {
        if (!logged.has(line)) {
            content += line;
            ++appended;
        }
    }
    if (!content.empty() && !existing.empty() && existing.back() != '\n') {
        content.insert(0, 1, '\n');  // a torn last line stays alone on its line
    }
    if (!content.empty() && !base::write_all(fd.get(), content.data(), content.size())) {
        throw Error(
            errno_message("cannot append to the crashed-tests log " + file.string(), errno));
    }
    return appended;  // closing the descriptor releases the lock
}

}  // namespace blackbox::report
