#include <limits>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/proc_stat.hpp>

namespace blackbox::sample {

namespace {

std::optional<pid_t> parse_pid(std::string_view text) {
    std::optional<std::uint64_t> value = base::parse_u64(text);
    if (!value || *value > static_cast<std::uint64_t>(std::numeric_limits<pid_t>::max())) {
        return std::nullopt;
    }
    return static_cast<pid_t>(*value);
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        return std::nullopt;
    }
    ProcStat stat;
    std::optional<pid_t> pid = parse_pid(base::trim(text.substr(0, open)));
    if (!pid) {
        return std::nullopt;
    }
    stat.pid = *pid;
    stat.comm = std::string(text.substr(open + 1, close - open - 1));

    // Fields 3, 4, ... follow the ')'.
    std::string_view rest = text.substr(close + 1);
    std::string_view word;
    int field = 2;
    while (field < 24 && base::next_word(rest, word)) {
        ++field;
        if (field == 3) {
            stat.state = word.size() == 1 ? word[0] : '?';
            continue;
        }
        if (field >= 4 && field <= 6) {
            std::optional<pid_t> id = parse_pid(word);
            if (!id) {
                return std::nullopt;
            }
            (field == 4 ? stat.ppid : field == 5 ? stat.pgrp : stat.session) = *id;
            continue;
        }
        std::uint64_t* target = field == 9    ? &stat.flags
                                : field == 14 ? &stat.utime
                                : field == 15 ? &stat.stime
                                : field == 20 ? &stat.threads
                                : field == 22 ? &stat.starttime
                                : field == 24 ? &stat.rss_pages
                                              : nullptr;
        if (target == nullptr) {
            continue;
        }
        // rss (field 24) is signed in the kernel's format; a negative figure is nonsense here.
        std::optional<std::uint64_t> value = base::parse_u64(word);
        if (!value) {
            return std::nullopt;
        }
        *target = *value;
    }
    if (field < 24) {
        return std::nullopt;
    }
    return stat;
}

}  // namespace blackbox::sample
