#include <algorithm>
#include <system_error>
#include <utility>

#include <blackbox/journal/reader.hpp>
#include <blackbox/live/run_watch.hpp>

namespace blackbox::live {

struct RunWatch::Follow {
    JournalTail tail;
    journal::ProcessReplayer replayer;
};

RunWatch::RunWatch(std::filesystem::path run_dir, int attempt)
    : run_dir_(std::move(run_dir)), attempt_(attempt) {}

RunWatch::~RunWatch() = default;

void RunWatch::refresh() {
    auto found = journal::find_process_files(run_dir_);
    for (auto& files : found) {
        if (files.attempt != attempt_) {
            continue;
        }
        bool known = std::any_of(processes_.begin(), processes_.end(), [&](const LiveProcess& p) {
            return p.files.journal == files.journal;
        });
        if (!known) {
            follows_.push_back(Follow{JournalTail(files.journal), journal::ProcessReplayer(files)});
            LiveProcess process;
            process.files = std::move(files);
            processes_.push_back(std::move(process));
        }
    }
    for (std::size_t i = 0; i < follows_.size(); ++i) {
        auto& follow = follows_[i];
        follow.tail.poll(
            [this, &follow](std::string_view line) {
                padded_.assign(line);
                padded_.append(simdjson::SIMDJSON_PADDING, ' ');
                simdjson::dom::element root;
                simdjson::dom::object object;
                std::string_view ev;
                if (parser_.parse(padded_.data(), line.size(), false).get(root) ||
                    root.get_object().get(object) || object.at_key("ev").get_string().get(ev)) {
                    return;  // garbage: the post-mortem reports it, the live watch skips it
                }
                follow.replayer.apply(journal::Record(object));
            },
            journal::kMaxRecordBytes);
        const auto& state = follow.replayer.state();
        auto& process = processes_[i];
        process.last = state.last;
        process.tests_done = state.tests_done;
        process.collected = state.collected_count;
        process.controller = state.controller;
        process.capture_stdout_fd = state.capture_stdout_fd;
        process.capture_stderr_fd = state.capture_stderr_fd;
        process.finished = state.exited || state.exitstatus.has_value();
        if (state.start.is_object()) {
            for (auto [key, field] : {std::pair{"dump_signal", &process.dump_signal},
                                      std::pair{"native_signal", &process.native_signal}}) {
                auto signal = state.start.find(key);
                if (signal != state.start.end() && signal->is_number_integer()) {
                    *field = signal->get<int>();
                }
            }
        }
    }
}

std::size_t RunWatch::tests_done() const {
    std::size_t done = 0;
    for (const auto& process : processes_) {
        done += process.tests_done;
    }
    return done;
}

std::optional<std::size_t> RunWatch::tests_collected() const {
    std::optional<std::size_t> collected;
    for (const auto& process : processes_) {
        if (process.collected && !process.controller) {
            collected = std::max(collected.value_or(0), *process.collected);
        }
    }
    return collected;
}

}  // namespace blackbox::live
