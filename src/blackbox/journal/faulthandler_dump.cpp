#include <algorithm>
#include <array>
#include <csignal>
#include <utility>

#include <fmt/format.h>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/journal/faulthandler_dump.hpp>

namespace blackbox::journal {

namespace {

constexpr std::string_view kFatalPrefix = "Fatal Python error: ";

// Position of the last line that starts with `prefix`, or npos.
std::size_t last_line_starting_with(std::string_view text, std::string_view prefix) {
    auto at = text.rfind(prefix);
    while (at != std::string_view::npos && at != 0 && text[at - 1] != '\n') {
        at = text.rfind(prefix, at - 1);
    }
    return at;
}

std::string_view rstrip(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

// Frames of the block that follows a "Current thread ..." header (or the first thread header
// when no thread is marked current), innermost first.
std::vector<std::string> current_thread_frames(std::string_view block) {
    auto header = block.find("Current thread ");
    if (header == std::string_view::npos) {
        header = block.find("Thread ");
    }
    if (header == std::string_view::npos) {
        header = block.find("Stack (most recent call first)");
    }
    std::vector<std::string> frames;
    if (header == std::string_view::npos) {
        return frames;
    }
    auto at = block.find('\n', header);
    while (at != std::string_view::npos && at + 1 < block.size()) {
        auto next = block.find('\n', at + 1);
        auto line = block.substr(at + 1, next == std::string_view::npos ? next : next - at - 1);
        if (line.rfind("  ", 0) != 0) {
            break;
        }
        frames.emplace_back(line.substr(2));
        at = next;
    }
    return frames;
}

}  // namespace

std::optional<int> signal_for_fatal_error(std::string_view error) {
    static constexpr std::array<std::pair<std::string_view, int>, 6> kErrors{{
        {"Segmentation fault", SIGSEGV},
        {"Aborted", SIGABRT},
        {"Bus error", SIGBUS},
        {"Floating-point exception", SIGFPE},
        {"Floating point exception", SIGFPE},
        {"Illegal instruction", SIGILL},
    }};
    for (const auto& [text, signal] : kErrors) {
        if (error.rfind(text, 0) == 0) {
            return signal;
        }
    }
    return std::nullopt;
}

std::optional<FaulthandlerDump> parse_last_dump(std::string_view text) {
    FaulthandlerDump dump;
    std::size_t begin = last_line_starting_with(text, kFatalPrefix);
    if (begin != std::string_view::npos) {
        dump.fatal = true;
        auto end_of_line = text.find('\n', begin);
        dump.error = std::string(text.substr(begin + kFatalPrefix.size(),
                                             end_of_line == std::string_view::npos
                                                 ? std::string_view::npos
                                                 : end_of_line - begin - kFatalPrefix.size()));
        dump.signal = signal_for_fatal_error(dump.error);
    } else {
        // A dump on request (a watchdog's signal): whoever asks for it first appends a line
        // starting with kRequestMarker, so the last such line starts the last dump. Without a
        // marker the whole file is one dump.
        begin = last_line_starting_with(text, kRequestMarker);
        if (begin == std::string_view::npos) {
            begin = 0;
        }
        if (text.find("(most recent call first)", begin) == std::string_view::npos) {
            return std::nullopt;
        }
    }
    auto block = rstrip(text.substr(begin));
    dump.frames = current_thread_frames(block);
    if (block.size() > kMaxDumpBytes) {
        block = block.substr(0, kMaxDumpBytes);
    }
    dump.text = std::string(block);
    return dump;
}

std::optional<FaulthandlerDump> read_last_dump(const std::filesystem::path& path,
                                               std::vector<std::string>& warnings) {
    constexpr std::size_t kMaxFaultFileBytes = 1024 * 1024;
    auto read = base::read_regular_file(path, kMaxFaultFileBytes, true);
    if (!read.text) {
        if (!read.missing) {
            warnings.push_back(
                fmt::format("{}: not read: {}", path.filename().string(), read.error));
        }
        return std::nullopt;
    }
    return parse_last_dump(*read.text);
}

}  // namespace blackbox::journal
