#include <charconv>
#include <fcntl.h>
#include <signal.h>
#include <string_view>
#include <thread>
#include <unistd.h>

#include <blackbox/base/directory.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/journal/faulthandler_dump.hpp>
#include <blackbox/live/stack_dump.hpp>

namespace blackbox::live {

namespace {

std::uintmax_t size_of(const std::filesystem::path& path) {
    std::error_code error;
    auto size = std::filesystem::file_size(path, error);
    return error ? 0 : size;
}

// Whether /proc says the process is stopped ('T'); false when it is gone.
bool is_stopped(pid_t pid) {
    auto stat = base::read_file("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) {
        return false;
    }
    auto close = stat->rfind(')');
    return close != std::string::npos && close + 2 < stat->size() && (*stat)[close + 2] == 'T';
}

// Whether /proc/<pid>/status says the process catches `signal` (its SigCgt mask).
bool catches(pid_t pid, int signal) {
    auto status = base::read_file("/proc/" + std::to_string(pid) + "/status");
    if (!status || signal < 1 || signal > 64) {
        return false;
    }
    auto at = status->find("\nSigCgt:");
    if (at == std::string::npos) {
        return false;
    }
    auto begin = status->find_first_not_of(" \t", at + 8);
    auto end = status->find('\n', begin);
    std::uint64_t mask = 0;
    auto text = std::string_view(*status).substr(begin, end - begin);
    auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), mask, 16);
    return error == std::errc() && ((mask >> (signal - 1)) & 1U) != 0;
}

}  // namespace

bool request_native_dump(const LiveProcess& process, std::optional<int> then_raise) {
    auto pid = static_cast<pid_t>(process.files.pid);
    if (!process.native_signal || !catches(pid, *process.native_signal)) {
        return false;
    }
    sigval value{};
    value.sival_int = then_raise.value_or(0) & 0xff;
    return ::sigqueue(pid, *process.native_signal, value) == 0;
}

bool request_stack_dump(const LiveProcess& process, const std::string& reason) {
    if (!process.dump_signal) {
        return false;
    }
    base::UniqueFd fd = base::open_for_append(AT_FDCWD, process.files.faulthandler.c_str());
    if (fd) {
        std::string marker = std::string(journal::kRequestMarker) + reason + "\n";
        base::write_all(fd.get(), marker.data(), marker.size());
    }
    // The native handler dumps every thread, then raises the dump signal itself.
    if (request_native_dump(process, process.dump_signal)) {
        return true;
    }
    return ::kill(static_cast<pid_t>(process.files.pid), *process.dump_signal) == 0;
}

void PendingKills::add(const LiveProcess& process, std::chrono::milliseconds deadline) {
    auto size = size_of(process.files.faulthandler);
    pending_.push_back({static_cast<pid_t>(process.files.pid), process.files.faulthandler, size,
                        size, 0, std::chrono::steady_clock::now() + deadline});
}

std::vector<pid_t> PendingKills::kill_due() {
    std::vector<pid_t> killed;
    auto now = std::chrono::steady_clock::now();
    for (auto it = pending_.begin(); it != pending_.end();) {
        auto size = size_of(it->faulthandler);
        // Written once it grew past the marker and then stayed the same for two checks.
        it->quiet_checks = size > it->size_seen ? 0 : it->quiet_checks + 1;
        it->size_seen = std::max(it->size_seen, size);
        bool written = it->size_seen > it->initial_size &&
                       (it->quiet_checks >= 2 || (it->quiet_checks >= 1 && is_stopped(it->pid)));
        if (written || now >= it->deadline) {
            ::kill(it->pid, SIGKILL);
            killed.push_back(it->pid);
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
    return killed;
}

}  // namespace blackbox::live
