#include <algorithm>

#include <fmt/format.h>

#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/live/status_text.hpp>

namespace blackbox::live {

namespace {

std::size_t columns(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a UTF-8 continuation
    }));
}

// The last `count` code points of `text`.
std::string_view tail_columns(std::string_view text, std::size_t count) {
    std::size_t seen = 0;
    for (std::size_t i = text.size(); i > 0; --i) {
        if ((static_cast<unsigned char>(text[i - 1]) & 0xC0) != 0x80 && ++seen == count) {
            return text.substr(i - 1);
        }
    }
    return text;
}

std::string_view head_columns(std::string_view text, std::size_t count) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && seen++ == count) {
            return text.substr(0, i);
        }
    }
    return text;
}

// The test in flight that has run longest (the one a user wonders about), or nullptr.
const LiveProcess* longest_running(const RunWatch& watch) {
    const LiveProcess* found = nullptr;
    for (const auto& process : watch.processes()) {
        if (process.finished || process.last.activity != journal::InFlight::Activity::in_test) {
            continue;
        }
        if (found == nullptr || process.last.since_ns < found->last.since_ns) {
            found = &process;
        }
    }
    return found;
}

}  // namespace

std::string status_text(const RunWatch& watch, const MemoryNow& memory, std::int64_t now_ns,
                        std::size_t width) {
    auto collected = watch.tests_collected();
    std::string progress = collected ? fmt::format("{}/{} tests", watch.tests_done(), *collected)
                                     : fmt::format("{} tests", watch.tests_done());
    std::string figures;
    if (memory.tree_rss) {
        figures += "  rss " + base::format_size(*memory.tree_rss);
        if (memory.limit) {
            figures += " of " + base::format_size(*memory.limit);
        }
    }
    if (memory.mem_available) {
        figures += "  avail " + base::format_size(*memory.mem_available);
    }
    std::string test;
    if (const auto* process = longest_running(watch)) {
        double seconds = static_cast<double>(now_ns - process->last.since_ns) / 1e9;
        test = fmt::format("{} {:.0f}s", base::terminal_text(process->last.nodeid.value_or("?")),
                           std::max(0.0, seconds));
    }
    std::string head = "blackbox " + progress;
    std::size_t fixed = columns(head) + columns(figures) + 2;  // two spaces before the test
    if (!test.empty() && fixed + 8 <= width) {
        std::size_t room = width - fixed;
        if (columns(test) > room) {
            test = "…" + std::string(tail_columns(test, room - 1));
        }
        return head + "  " + test + figures;
    }
    std::string line = head + figures;
    return std::string(head_columns(line, width));
}

}  // namespace blackbox::live
