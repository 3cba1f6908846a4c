#include <map>
#include <string>
#include <vector>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/native/demangle.hpp>
#include <blackbox/native/faulthandler_c_stack.hpp>

namespace blackbox::native {

namespace {

constexpr std::string_view kSection = "Current thread's C stack trace (most recent call first):";
constexpr std::string_view kFrame = "  Binary file ";
constexpr std::string_view kTruncated = "  <truncated rest of calls>";
constexpr std::string_view kCurrentThread = "Current thread 0x";
constexpr std::string_view kThreadEnd = " (most recent call first):";
constexpr std::string_view kFatal = "Fatal Python error";

// "0x7f…" (lower-case digits, as dump_hexadecimal writes them), or nullopt.
std::optional<std::uint64_t> hex_after_0x(std::string_view text) {
    if (!text.starts_with("0x")) {
        return std::nullopt;
    }
    return base::parse_hex_u64(text.substr(2));
}

// One frame as _Py_backtrace_symbols_fd writes it; `offset_in_object` when it says it.
struct ParsedFrame {
    NativeFrame frame;
    std::optional<std::uint64_t> offset_in_object;
};

std::optional<ParsedFrame> parse_frame(std::string_view line) {
    if (!line.starts_with(kFrame) || !line.ends_with(']')) {
        return std::nullopt;
    }
    line.remove_prefix(kFrame.size());
    auto bracket = line.rfind(" [");
    if (bracket == std::string_view::npos) {
        return std::nullopt;
    }
    auto pc = hex_after_0x(line.substr(bracket + 2, line.size() - bracket - 3));
    if (!pc) {
        return std::nullopt;
    }
    ParsedFrame parsed;
    parsed.frame.pc = *pc;
    std::string_view where = line.substr(0, bracket);
    if (where == "'<unknown>'") {
        parsed.frame.offset = *pc;
        return parsed;
    }
    if (where.size() < 2 || where.front() != '"') {
        return std::nullopt;
    }
    // The path is written as it is, quotes and all: the symbol part is after the last `", at `.
    if (auto at = where.rfind("\", at "); at != std::string_view::npos && at > 0) {
        parsed.frame.object = std::string(where.substr(1, at - 1));
        std::string_view symbol = where.substr(at + 6);
        auto sign = symbol.find_last_of("+-");
        if (sign == std::string_view::npos) {
            return std::nullopt;
        }
        auto offset = hex_after_0x(symbol.substr(sign + 1));
        if (!offset) {
            return std::nullopt;
        }
        std::string_view name = symbol.substr(0, sign);
        if (name.empty()) {
            // No symbol: the offset is from the object's load bias, the address in the object.
            if (symbol[sign] == '+') {
                parsed.offset_in_object = *offset;
            }
        } else if (symbol[sign] == '+') {
            parsed.frame.function = demangled(name);
            parsed.frame.function_offset = *offset;
        }
        return parsed;
    }
    if (where.back() != '"') {
        return std::nullopt;
    }
    // No symbol and a load bias of 0: the address is the object's own.
    parsed.frame.object = std::string(where.substr(1, where.size() - 2));
    parsed.offset_in_object = *pc;
    return parsed;
}

// "Current thread 0x00007f… [name] (most recent call first):" into the thread's pthread and name.
void read_thread_line(std::string_view line, NativeThread& thread) {
    line.remove_prefix(kCurrentThread.size());
    if (!line.ends_with(kThreadEnd)) {
        return;
    }
    line.remove_suffix(kThreadEnd.size());
    auto blank = line.find(' ');
    if (auto id = base::parse_hex_u64(line.substr(0, blank))) {
        thread.pthread = *id;
    }
    if (blank != std::string_view::npos) {
        std::string_view name = line.substr(blank + 1);
        if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
            thread.name = std::string(name.substr(1, name.size() - 2));
        }
    }
}

}  // namespace

std::optional<NativeThread> parse_faulthandler_c_stack(std::string_view faulthandler_text) {
    std::vector<std::string_view> lines;
    std::string_view rest = faulthandler_text;
    std::string_view line;
    while (base::next_line(rest, line)) {
        lines.push_back(line);
    }
    std::size_t section = lines.size();
    for (std::size_t i = lines.size(); i-- > 0;) {
        if (lines[i] == kSection) {
            section = i;
            break;
        }
    }
    if (section == lines.size()) {
        return std::nullopt;
    }
    NativeThread thread;
    // The dump it ends: back to the previous section, the nearest thread line and fatal error.
    bool thread_seen = false;
    for (std::size_t i = section; i-- > 0 && lines[i] != kSection;) {
        if (!thread_seen && lines[i].starts_with(kCurrentThread)) {
            read_thread_line(lines[i], thread);
            thread_seen = true;
        } else if (lines[i].starts_with(kFatal)) {
            thread.crashed = true;
            break;
        }
    }
    std::vector<ParsedFrame> parsed;
    for (std::size_t i = section + 1; i < lines.size(); ++i) {
        if (lines[i] == kTruncated) {
            thread.truncated = true;
            break;
        }
        auto frame = parse_frame(lines[i]);
        if (!frame) {
            break;  // the section ends at its first line that is not a frame
        }
        parsed.push_back(std::move(*frame));
    }
    if (parsed.empty()) {
        return std::nullopt;
    }
    // A frame without a symbol gives its object's bias, which places its named frames too.
    std::map<std::string, std::uint64_t> bias;
    for (const ParsedFrame& frame : parsed) {
        if (frame.offset_in_object && !frame.frame.object.empty()) {
            bias.try_emplace(frame.frame.object, frame.frame.pc - *frame.offset_in_object);
        }
    }
    for (ParsedFrame& frame : parsed) {
        if (frame.offset_in_object) {
            frame.frame.offset = *frame.offset_in_object;
        } else if (auto known = bias.find(frame.frame.object);
                   known != bias.end() && !frame.frame.object.empty()) {
            frame.frame.offset = frame.frame.pc - known->second;
        }
        thread.frames.push_back(std::move(frame.frame));
    }
    return thread;
}

}  // namespace blackbox::native
