#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <blackbox/base/error.hpp>
#include <blackbox/limit/control_file.hpp>
#include <blackbox/limit/kernel_log.hpp>

namespace blackbox::limit {

namespace {

// A record of /dev/kmsg is at most 8 KiB with its continuation lines (CONSOLE_EXT_LOG_MAX);
// a smaller buffer makes read() fail with EINVAL.
constexpr std::size_t kReadSize = 16 * 1024;

std::optional<KernelRecord> parse_record(std::string_view line) {
    auto semicolon = line.find(';');
    if (semicolon == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view header = line.substr(0, semicolon);
    std::string_view fields[3];
    for (auto& field : fields) {
        auto comma = header.find(',');
        if (comma == std::string_view::npos) {
            return std::nullopt;  // fewer than four fields
        }
        field = header.substr(0, comma);
        header.remove_prefix(comma + 1);
    }
    auto priority = parse_control_number(fields[0]);
    auto sequence = parse_control_number(fields[1]);
    auto usec = parse_control_number(fields[2]);
    if (!priority || !sequence || !usec || *priority > 1023) {
        return std::nullopt;
    }
    KernelRecord record;
    record.facility = static_cast<int>(*priority >> 3);
    record.level = static_cast<int>(*priority & 7);
    record.sequence = *sequence;
    record.usec = *usec;
    record.message = std::string(line.substr(semicolon + 1));
    return record;
}

}  // namespace

std::vector<KernelRecord> parse_kmsg(std::string_view text) {
    std::vector<KernelRecord> records;
    while (!text.empty()) {
        auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.empty() || line.front() == ' ') {
            continue;  // a continuation line (" SUBSYSTEM=…", " DEVICE=…")
        }
        if (auto record = parse_record(line)) {
            records.push_back(std::move(*record));
        }
    }
    return records;
}

KernelLog::KernelLog(const std::filesystem::path& path) {
    fd_.reset(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd_) {
        problem_ = errno_message("cannot open " + path.string(), errno);
        return;
    }
    if (::lseek(fd_.get(), 0, SEEK_END) < 0) {
        problem_ = errno_message("cannot seek to the end of " + path.string(), errno);
        fd_.reset();
    }
}

std::vector<KernelRecord> KernelLog::read_new() {
    if (!fd_) {
        return {};
    }
    std::string text = std::move(partial_);
    partial_.clear();
    std::string buffer(kReadSize, '\0');
    for (;;) {
        ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
        if (n > 0) {
            text.append(buffer.data(), static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EPIPE)) {
            continue;  // EPIPE: records were overwritten; the next read gives the oldest left
        }
        break;  // EAGAIN: nothing more for now; 0: the end of a regular file
    }
    // /dev/kmsg gives whole records; a file being appended to may end inside one.
    auto last_newline = text.rfind('\n');
    if (last_newline == std::string::npos) {
        partial_ = std::move(text);
        return {};
    }
    partial_ = text.substr(last_newline + 1);
    text.resize(last_newline + 1);
    return parse_kmsg(text);
}

}  // namespace blackbox::limit
