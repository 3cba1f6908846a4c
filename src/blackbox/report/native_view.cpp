#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <blackbox/base/json_text.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/native/frame_origin.hpp>
#include <blackbox/report/native_view.hpp>

namespace blackbox::report {

namespace {

using nlohmann::json;

// Native frames shown per thread of a dump of every thread.
constexpr std::size_t kDumpThreadLines = 8;

std::string hex(std::uint64_t value) {
    return fmt::format("{:#x}", value);
}

std::string base_name(const std::string& path) {
    return path.empty() ? std::string("?") : std::filesystem::path(path).filename().string();
}

json frame_json(const native::NativeFrame& frame) {
    json object = {
        {"pc", hex(frame.pc)},
        {"object", nullptr},
        {"offset", hex(frame.offset)},
        {"function", frame.function ? json(*frame.function) : json(nullptr)},
        {"function_offset", frame.function ? json(frame.function_offset) : json(nullptr)},
        {"file", frame.file ? json(*frame.file) : json(nullptr)},
        {"line", frame.line ? json(*frame.line) : json(nullptr)},
        {"signal_frame", frame.signal_frame},
    };
    if (!frame.object.empty()) {
        base::put_name(object, "object", frame.object);  // a path: bytes, maybe not UTF-8
    }
    return object;
}

json frames_json(const std::vector<native::NativeFrame>& frames) {
    json out = json::array();
    for (const auto& frame : frames) {
        out.push_back(frame_json(frame));
    }
    return out;
}

}  // namespace

const native::NativeThread* crash_thread(const postmortem::Crash& crash) {
    if (!crash.native || crash.native->threads.empty()) {
        return nullptr;
    }
    const auto& threads = crash.native->threads;
    for (const auto& thread : threads) {
        if (thread.crashed) {
            return &thread;
        }
    }
    for (const auto& thread : threads) {
        if (thread.tid == crash.pid) {
            return &thread;
        }
    }
    return &threads.front();
}

void put_native(json& object, const postmortem::Crash& crash) {
    const auto* thread = crash_thread(crash);
    object["native_stack"] = thread != nullptr ? frames_json(thread->frames) : json(nullptr);
    object["native_source"] = crash.native ? json(crash.native_source) : json(nullptr);
    if (crash.native && crash.native->kind == native::RawRecord::Kind::dump) {
        json threads = json::array();
        for (const auto& each : crash.native->threads) {
            threads.push_back({{"tid", each.tid},
                               {"name", each.name},
                               {"pthread", hex(each.pthread)},
                               {"truncated", each.truncated},
                               {"frames", frames_json(each.frames)}});
        }
        object["native_threads"] = std::move(threads);
    } else {
        object["native_threads"] = nullptr;
    }
}

std::string native_frame_text(const native::NativeFrame& frame) {
    auto where = fmt::format("{}+{}", base_name(frame.object), hex(frame.offset));
    if (!frame.function) {
        return where;
    }
    std::string text = *frame.function;
    if (frame.file && frame.line) {
        text += fmt::format(" at {}:{}", *frame.file, *frame.line);
    }
    return fmt::format("{} ({})", text, where);
}

std::vector<std::string> native_lines(const native::NativeThread& thread, std::size_t limit) {
    std::vector<std::string> lines;
    auto folded = native::fold_frames(thread.frames);
    for (std::size_t i = 0; i < folded.size(); ++i) {
        if (lines.size() + 1 >= limit && i + 1 < folded.size()) {
            std::size_t rest = 0;
            for (std::size_t j = i; j < folded.size(); ++j) {
                rest += folded[j].count;
            }
            lines.push_back(fmt::format("… {} more frames", rest));
            break;
        }
        const auto& entry = folded[i];
        if (entry.collapsed) {
            std::vector<std::string> objects;  // each once, in order
            for (const auto& object : entry.objects) {
                auto name = base_name(object);
                if (std::find(objects.begin(), objects.end(), name) == objects.end()) {
                    objects.push_back(std::move(name));
                }
            }
            lines.push_back(fmt::format(
                "… {} frames of {} ({})", entry.count,
                entry.origin == native::FrameOrigin::own ? "blackbox's handler" : "the interpreter",
                fmt::join(objects, ", ")));
        } else {
            lines.push_back(native_frame_text(thread.frames[entry.first]));
        }
    }
    if (thread.truncated) {
        lines.push_back("… deeper frames were not recorded");
    }
    return lines;
}

std::vector<std::string> native_block(const postmortem::Crash& crash, std::size_t limit) {
    std::vector<std::string> lines;
    if (!crash.native) {
        return lines;
    }
    if (crash.native->kind != native::RawRecord::Kind::dump) {
        if (const auto* thread = crash_thread(crash)) {
            lines = native_lines(*thread, limit);
        }
        return lines;
    }
    for (const auto& thread : crash.native->threads) {
        lines.push_back(fmt::format("thread {} ({}){}", thread.tid, thread.name,
                                    thread.tid == crash.pid ? ", the main thread" : ""));
        for (const auto& line : native_lines(thread, std::min(limit, kDumpThreadLines))) {
            lines.push_back("  " + line);
        }
    }
    return lines;
}

std::string native_text(const postmortem::Crash& crash) {
    if (!crash.native) {
        return "";
    }
    std::string text = "Native stack: " + native_heading(crash) + "\n";
    for (const auto& line : native_block(crash, kNativeLines)) {
        text += "  " + line + "\n";
    }
    return text;
}

std::string native_heading(const postmortem::Crash& crash) {
    if (!crash.native) {
        return {};
    }
    const auto& stacks = *crash.native;
    if (stacks.kind == native::RawRecord::Kind::dump) {
        return fmt::format("every thread ({} of {} answered), dumped on request",
                           stacks.threads_answered, stacks.threads_in_process);
    }
    const auto* thread = crash_thread(crash);
    std::string heading = stacks.signal ? std::string(base::signal_name(*stacks.signal))
                                        : std::string("fatal signal");
    if (stacks.fault_address && stacks.signal && *stacks.signal != 6) {
        heading += " at " + hex(*stacks.fault_address);
    }
    if (thread != nullptr) {
        heading += fmt::format(" in thread {} ({})", thread->tid, thread->name);
    }
    if (crash.native_source == "faulthandler") {
        heading += ", as faulthandler printed it";
    }
    return heading;
}

}  // namespace blackbox::report
