#include <algorithm>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include <blackbox/base/json_text.hpp>
#include <blackbox/journal/process_replay.hpp>

namespace blackbox::journal {

namespace {

std::optional<std::string> optional_string(const Record& record, std::string_view key) {
    auto value = record.string(key);
    return value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
}

std::string string_or(const Record& record, std::string_view key, std::string fallback) {
    auto value = record.string(key);
    return value ? std::string(*value) : std::move(fallback);
}

std::optional<int> optional_int(const Record& record, std::string_view key) {
    auto value = record.integer(key);
    return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

std::int64_t ns_of(const Record& record) {
    return record.integer("ns").value_or(0);
}

// `session_start`'s `monitor` object; a key that is absent or of another type keeps its default.
MonitorSettings monitor_settings(const nlohmann::json& monitor) {
    MonitorSettings settings;
    auto flag = [&monitor](const char* key, bool fallback) {
        auto it = monitor.find(key);
        return it != monitor.end() && it->is_boolean() ? it->get<bool>() : fallback;
    };
    auto text = [&monitor](const char* key) -> std::optional<std::string> {
        auto it = monitor.find(key);
        return it != monitor.end() && it->is_string() ? std::optional(it->get<std::string>())
                                                      : std::nullopt;
    };
    settings.enabled = flag("enabled", true);
    settings.explicit_params = flag("explicit_params", false);
    if (auto scopes = monitor.find("scopes"); scopes != monitor.end() && scopes->is_array()) {
        settings.scopes.clear();
        for (const auto& scope : *scopes) {
            if (scope.is_string()) {
                settings.scopes.push_back(scope.get<std::string>());
            }
        }
    }
    settings.component_prefix = text("component_prefix");
    settings.force_component = text("force_component");
    settings.description = text("description");
    if (auto tags = monitor.find("tags"); tags != monitor.end() && tags->is_object()) {
        for (const auto& [key, value] : tags->items()) {
            settings.tags.emplace_back(
                key, value.is_string() ? value.get<std::string>() : base::json_text(value));
        }
    }
    return settings;
}

// pytest-forked names the signal only in its text: "…: running the test CRASHED with signal 11".
std::optional<int> forked_crash_signal(std::string_view report) {
    constexpr std::string_view kWords = "CRASHED with signal ";
    auto at = report.find(kWords);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    int signal = 0;
    std::size_t digits = 0;
    for (auto i = at + kWords.size(); i < report.size() && digits < 3; ++i, ++digits) {
        if (report[i] < '0' || report[i] > '9') {
            break;
        }
        signal = signal * 10 + (report[i] - '0');
    }
    return digits > 0 && signal > 0 ? std::optional<int>(signal) : std::nullopt;
}

bool is_phase(const std::string& phase) {
    return phase == "setup" || phase == "call" || phase == "teardown";
}

}  // namespace

// Replays records in order; one handler per record type, so a new type touches one handler.
class ProcessReplayer::Replayer {
  public:
    Replayer(const ProcessFiles& files, TestSink sink) : sink_(std::move(sink)) {
        out_.files = files;
    }

    ProcessReplay& out() { return out_; }

    // The test in flight, if any, goes to the sink.
    void hand_over() {
        for (auto& test : out_.tests) {
            if (sink_) {
                sink_(std::move(test));
            }
        }
        out_.tests.clear();
    }

    void apply(const Record& record) {
        using Handler = void (Replayer::*)(const Record&);
        static const std::unordered_map<std::string_view, Handler> kHandlers{
            {"start", &Replayer::on_start},
            {"session_start", &Replayer::on_session_start},
            {"collect", &Replayer::on_collect},
            {"collect_end", &Replayer::on_collect_end},
            {"collection", &Replayer::on_collection},
            {"test", &Replayer::on_test},
            {"begin", &Replayer::on_begin},
            {"end", &Replayer::on_end},
            {"fixture_begin", &Replayer::on_fixture_begin},
            {"fixture_end", &Replayer::on_fixture_end},
            {"interrupt", &Replayer::on_interrupt},
            {"disabled", &Replayer::on_disabled},
            {"lost", &Replayer::on_lost},
            {"worker_down", &Replayer::on_worker_down},
            {"worker_crash", &Replayer::on_worker_crash},
            {"scope", &Replayer::on_scope},
            {"session_end", &Replayer::on_session_end},
            {"exit", &Replayer::on_exit},
            {"after_test", &Replayer::on_after_test},
            {"subtest", &Replayer::on_subtest},
        };
        auto ev = record.ev();
        auto handler = kHandlers.find(ev);
        if (handler == kHandlers.end()) {
            unknown_.emplace_back(ev);
            return;
        }
        auto ns = ns_of(record);
        if (ns != 0) {
            if (out_.first_ns == 0) {
                out_.first_ns = ns;
            }
            out_.last_ns = std::max(out_.last_ns, ns);
        }
        (this->*handler->second)(record);
    }

    void finish() {
        std::sort(unknown_.begin(), unknown_.end());
        unknown_.erase(std::unique(unknown_.begin(), unknown_.end()), unknown_.end());
        for (const auto& ev : unknown_) {
            out_.warnings.push_back(fmt::format("{}: skipped records of unknown type \"{}\"",
                                                out_.files.journal.filename().string(), ev));
        }
    }

  private:
    void set_activity(InFlight::Activity activity, const Record& record) {
        out_.last.activity = activity;
        out_.last.since_ns = ns_of(record);
    }

    void on_start(const Record& record) {
        out_.start = record.to_json();
        set_activity(InFlight::Activity::startup, record);
    }

    void on_session_start(const Record& record) {
        out_.session_started = true;
        out_.controller = record.boolean("controller").value_or(false);
        out_.dist = optional_string(record, "dist");
        auto capture = record.json("capture");
        if (capture.is_object()) {
            auto fd = [&capture](const char* key) -> std::optional<int> {
                auto it = capture.find(key);
                return it != capture.end() && it->is_number_integer()
                           ? std::optional<int>(it->get<int>())
                           : std::nullopt;
            };
            out_.capture_stdout_fd = fd("stdout");
            out_.capture_stderr_fd = fd("stderr");
        }
        if (auto monitor = record.json("monitor"); monitor.is_object()) {
            out_.monitor = monitor_settings(monitor);
        }
        if (record.has("reports")) {
            out_.user_reports = user_reports_of(record.json("reports"));
            for (auto& report : out_.user_reports) {
                report.attempt = out_.files.attempt;
            }
        }
        if (out_.controller) {
            // An xdist controller collects nothing and runs no test: from here its workers do,
            // and its death is one between tests (a restart may resume the suite), not at
            // start-up.
            between_tests(record);
        }
    }

    void on_scope(const Record& record) {
        ScopeMetrics scope;
        scope.kind = string_or(record, "kind", "");
        scope.nodeid = record.name("nodeid").value_or("");
        scope.module = optional_string(record, "module");
        scope.name = string_or(record, "name", "");
        scope.file = optional_string(record, "file");
        scope.component = string_or(record, "component", "");
        scope.begin_ns = record.integer("begin_ns").value_or(0);
        scope.end_ns = ns_of(record);
        scope.cpu_user_s = record.number("cpu_user").value_or(0.0);
        scope.cpu_sys_s = record.number("cpu_sys").value_or(0.0);
        scope.peak_rss_bytes = record.figure("peak_rss");
        scope.rss_before_bytes = record.figure("rss_before");
        scope.rss_after_bytes = record.figure("rss_after");
        if (out_.files.is_worker()) {
            scope.worker = out_.files.role;
        }
        scope.attempt = out_.files.attempt;
        out_.scopes.push_back(std::move(scope));
    }

    void on_collect(const Record& record) {
        if (out_.collect_ns == 0) {
            out_.collect_ns = ns_of(record);
        }
        collecting_.push_back(record.name("nodeid").value_or(""));
        show_collecting(record);
    }

    void on_collect_end(const Record& record) {
        auto nodeid = record.name("nodeid").value_or("");
        auto it = std::find(collecting_.rbegin(), collecting_.rend(), nodeid);
        if (it != collecting_.rend()) {
            collecting_.erase(std::next(it).base(), collecting_.end());
        }
        if (string_or(record, "outcome", "") == "failed") {
            out_.collect_errors.push_back(
                {nodeid, string_or(record, "longrepr", ""),
                 out_.files.is_worker() ? std::optional(out_.files.role) : std::nullopt});
        }
        if (collecting_.empty()) {
            out_.last.nodeid.reset();
            out_.last.phase = "session";
            set_activity(InFlight::Activity::startup, record);
        } else {
            show_collecting(record);
        }
    }

    void show_collecting(const Record& record) {
        out_.last.nodeid = collecting_.back();
        out_.last.phase = "collect";
        set_activity(InFlight::Activity::collecting, record);
    }

    void on_collection(const Record& record) {
        collecting_.clear();
        if (auto count = optional_int(record, "count")) {
            out_.collected_count = static_cast<std::size_t>(std::max(*count, 0));
        }
        if (auto deselected = optional_int(record, "deselected")) {
            out_.deselected_count = static_cast<std::size_t>(std::max(*deselected, 0));
        }
        if (auto resumed = optional_int(record, "resumed")) {
            out_.resumed_count = static_cast<std::size_t>(std::max(*resumed, 0));
        }
        between_tests(record);
    }

    void between_tests(const Record& record) {
        out_.last.nodeid.reset();
        out_.last.phase = "session";
        out_.last.fixture.reset();
        set_activity(InFlight::Activity::between_tests, record);
    }

    void on_test(const Record& record) {
        TestResult test;
        test.nodeid = record.name("nodeid").value_or("");
        test.attempt = out_.files.attempt;
        test.pid = out_.files.pid;
        if (out_.files.is_worker()) {
            test.worker = out_.files.role;
        }
        hand_over();
        out_.tests.push_back(std::move(test));
        pending_begin_ns_ = ns_of(record);  // the setup begins with the test
        child_pid_ = 0;
        out_.last.nodeid = out_.tests.back().nodeid;
        out_.latest_test = out_.last.nodeid;
        out_.last.phase = "setup";  // logstart comes right before setup begins
        out_.last.fixture.reset();
        set_activity(InFlight::Activity::in_test, record);
    }

    std::optional<PhaseResult>* phase_slot(const std::string& phase) {
        if (out_.tests.empty()) {
            return nullptr;
        }
        auto& test = out_.tests.back();
        if (phase == "setup") {
            return &test.setup;
        }
        if (phase == "call") {
            return &test.call;
        }
        if (phase == "teardown") {
            return &test.teardown;
        }
        return nullptr;
    }

    void on_begin(const Record& record) {
        auto phase = string_or(record, "phase", "");
        if (!is_phase(phase) || out_.tests.empty()) {
            return;
        }
        pending_begin_ns_ = ns_of(record);
        if (auto pid = record.integer("pid")) {
            child_pid_ = static_cast<long>(*pid);  // a forked child runs the test
        }
        out_.last.phase = phase;
        out_.last.fixture.reset();
        set_activity(InFlight::Activity::in_test, record);
    }

    // pytest-forked's report of a test whose forked child died: phase `???`, failed. The test
    // crashed in the phase its child last began (the setup when no `begin` says otherwise).
    void on_child_death(const Record& record) {
        auto& test = out_.tests.back();
        ChildDeath death;
        auto report = string_or(record, "longrepr", "");
        death.signal = optional_int(record, "signal");
        if (!death.signal) {
            death.signal = forked_crash_signal(report);
        }
        death.phase = out_.last.activity == InFlight::Activity::in_test && is_phase(out_.last.phase)
                          ? out_.last.phase
                          : "setup";
        death.pid = child_pid_;
        death.report = std::move(report);
        death.since_ns = out_.last.since_ns;
        death.ns = ns_of(record);
        test.child_death = std::make_shared<const ChildDeath>(std::move(death));
        ++out_.tests_done;
        pending_begin_ns_ = 0;
        between_tests(record);
    }

    void on_subtest(const Record& record) {
        if (out_.tests.empty() || out_.last.activity != InFlight::Activity::in_test) {
            return;
        }
        Subtest subtest;
        subtest.msg = optional_string(record, "msg");
        if (auto params = record.json("params"); params.is_object()) {
            for (const auto& [name, value] : params.items()) {
                subtest.params.emplace_back(
                    name, value.is_string() ? value.get<std::string>() : base::json_text(value));
            }
        }
        subtest.outcome = string_or(record, "outcome", "failed");
        subtest.duration_s = record.number("dur").value_or(0.0);
        subtest.longrepr = optional_string(record, "longrepr");
        subtest.reason = optional_string(record, "reason");
        out_.tests.back().subtests.push_back(std::move(subtest));
    }

    void on_end(const Record& record) {
        auto phase = string_or(record, "phase", "");
        auto* slot = phase_slot(phase);
        if (slot == nullptr) {
            if (phase != "???" || out_.tests.empty() ||
                out_.last.activity != InFlight::Activity::in_test) {
                return;
            }
            if (string_or(record, "outcome", "") == "failed") {
                on_child_death(record);
                return;
            }
            // A forked child's death that an xfail mark expected: pytest-forked reports it
            // skipped with `wasxfail`; it is the test's call outcome (xfailed).
            phase = "call";
            slot = phase_slot(phase);
        }
        PhaseResult result;
        auto outcome = string_or(record, "outcome", "");
        result.outcome = outcome == "passed"    ? PhaseResult::Outcome::passed
                         : outcome == "skipped" ? PhaseResult::Outcome::skipped
                                                : PhaseResult::Outcome::failed;
        result.duration_s = record.number("dur").value_or(0.0);
        result.begin_ns = pending_begin_ns_;
        result.end_ns = ns_of(record);
        if (outcome == "rerun") {
            out_.tests.back().rerun = true;  // pytest-rerunfailures runs the test again
        }
        auto wasxfail = optional_string(record, "wasxfail");
        result.wasxfail = wasxfail.has_value();
        PhaseDetails details;
        details.wasxfail = wasxfail.value_or("");
        details.reason = optional_string(record, "reason");
        details.longrepr = optional_string(record, "longrepr");
        if (auto sections = record.json("sections"); sections.is_array()) {
            for (const auto& section : sections) {
                if (section.is_array() && section.size() == 2 && section[0].is_string() &&
                    section[1].is_string()) {
                    details.sections.emplace_back(section[0].get<std::string>(),
                                                  section[1].get<std::string>());
                }
            }
        }
        if (record.has("props")) {
            details.props = record.json("props");
        }
        if (!details.wasxfail.empty() || details.reason || details.longrepr ||
            !details.sections.empty() || !details.props.is_null()) {
            result.details = std::make_shared<const PhaseDetails>(std::move(details));
        }
        const bool setup_passed =
            phase == "setup" && result.outcome == PhaseResult::Outcome::passed;
        // A test is done once, however many teardown ends a broken journal repeats (the last
        // one's result is kept).
        const bool first_teardown_end = phase == "teardown" && !slot->has_value();
        *slot = std::move(result);
        // The next phase begins right away: the call after a passed setup, else the teardown
        // (the plugin writes no record for those beginnings; an explicit `begin` may follow).
        pending_begin_ns_ = ns_of(record);
        if (phase == "teardown") {
            auto& test = out_.tests.back();
            test.peak_rss_bytes = record.figure("peak_rss");
            test.cpu_user_s = record.number("cpu_user");
            test.cpu_sys_s = record.number("cpu_sys");
            test.cpu_wall_s = record.number("cpu_wall");
            test.rss_before_bytes = record.figure("rss_before");
            test.rss_after_bytes = record.figure("rss_after");
            test.main_cpu_s = record.number("main_cpu");
            test.run_delay_s = record.number("run_delay");
            if (first_teardown_end) {
                ++out_.tests_done;
            }
            pending_begin_ns_ = 0;
            between_tests(record);
            return;
        }
        out_.last.phase = setup_passed ? "call" : "teardown";
        out_.last.fixture.reset();
        set_activity(InFlight::Activity::in_test, record);
    }

    // Belongs to the latest test, once its teardown ended; anywhere else it is ignored.
    void on_after_test(const Record& record) {
        if (out_.tests.empty() || !out_.tests.back().teardown) {
            return;
        }
        AfterTest after;
        after.gc_freed_bytes = record.signed_figure("gc_freed");
        after.gc_objects = record.figure("gc_objects");
        after.gc_s = record.number("gc_s");
        auto counts = record.json("left");
        auto names = record.json("left_names");
        if (counts.is_object()) {
            for (const auto& [kind, count] : counts.items()) {
                if (!count.is_number_integer()) {
                    continue;
                }
                Leftover left{kind, count.get<std::int64_t>(), {}};
                if (names.is_object() && names.contains(kind) && names[kind].is_array()) {
                    for (const auto& name : names[kind]) {
                        if (name.is_string()) {
                            left.names.push_back(name.get<std::string>());
                        }
                    }
                }
                after.left.push_back(std::move(left));
            }
        }
        std::stable_sort(after.left.begin(), after.left.end(),
                         [](const Leftover& a, const Leftover& b) {
                             return leftover_rank(a.kind) < leftover_rank(b.kind);
                         });
        out_.tests.back().after = std::make_shared<const AfterTest>(std::move(after));
    }

    void on_fixture_begin(const Record& record) {
        out_.last.fixture = optional_string(record, "name");
    }

    void on_fixture_end(const Record&) { out_.last.fixture.reset(); }

    void on_interrupt(const Record& record) {
        out_.interrupt = string_or(record, "reason", "KeyboardInterrupt");
        if (out_.last.activity == InFlight::Activity::in_test && !out_.interrupted_test) {
            out_.interrupted_test = out_.last;
            out_.interrupt_ns = ns_of(record);
        }
    }

    void on_disabled(const Record& record) {
        out_.disabled = string_or(record, "reason", "unknown");
    }

    // Records were lost before this one: the test in flight then is closed as far as it got,
    // and nothing after the gap is taken as belonging to it.
    void on_lost(const Record& record) {
        JournalLoss loss;
        loss.since_ns = record.integer("since_ns").value_or(ns_of(record));
        loss.until_ns = ns_of(record);
        loss.records = record.figure("records");
        loss.reason = string_or(record, "reason", "unknown");
        loss.after = out_.loss_after();
        out_.losses.push_back(std::move(loss));
        hand_over();
        collecting_.clear();
        pending_begin_ns_ = 0;
        between_tests(record);
    }

    void on_worker_down(const Record& record) {
        out_.workers_down.push_back({string_or(record, "worker", ""),
                                     optional_string(record, "error"), optional_int(record, "code"),
                                     optional_int(record, "signal"), ns_of(record)});
    }

    void on_worker_crash(const Record& record) {
        out_.worker_crashes.push_back(
            {string_or(record, "worker", ""), record.name("nodeid").value_or(""), ns_of(record)});
    }

    void on_session_end(const Record& record) {
        out_.exitstatus = optional_int(record, "exitstatus").value_or(0);
        out_.last.nodeid.reset();
        out_.last.phase = "session";
        out_.last.fixture.reset();
        set_activity(InFlight::Activity::after_session, record);
    }

    void on_exit(const Record& record) {
        out_.exited = true;
        out_.last.nodeid.reset();
        out_.last.phase = "session";
        set_activity(InFlight::Activity::after_session, record);
    }

    ProcessReplay out_;
    TestSink sink_;
    std::vector<std::string> collecting_;  // nested collectors (a package, then its module)
    std::int64_t pending_begin_ns_ = 0;
    long child_pid_ = 0;  // the forked child running the test in flight (its `begin`'s pid)
    std::vector<std::string> unknown_;
};

ProcessReplayer::ProcessReplayer(const ProcessFiles& files, TestSink sink)
    : replayer_(std::make_unique<Replayer>(files, std::move(sink))) {}

ProcessReplayer::~ProcessReplayer() = default;
ProcessReplayer::ProcessReplayer(ProcessReplayer&&) noexcept = default;
ProcessReplayer& ProcessReplayer::operator=(ProcessReplayer&&) noexcept = default;

void ProcessReplayer::apply(const Record& record) {
    replayer_->apply(record);
}

const ProcessReplay& ProcessReplayer::state() const {
    return replayer_->out();
}

ProcessReplay ProcessReplayer::finish(std::vector<std::string> read_warnings) {
    auto& out = replayer_->out();
    out.warnings.insert(out.warnings.begin(), read_warnings.begin(), read_warnings.end());
    replayer_->finish();
    replayer_->hand_over();
    if (out.start.is_null()) {
        out.warnings.push_back(
            fmt::format("{}: no start record", out.files.journal.filename().string()));
    }
    return std::move(out);
}

namespace {

template <typename Read>
ProcessReplay replay_with(const ProcessFiles& files, const TestSink& sink, Read read) {
    ProcessReplayer replayer(files, sink);
    auto summary = read([&replayer](const Record& record) { replayer.apply(record); });
    return replayer.finish(std::move(summary.warnings));
}

}  // namespace

ProcessReplay replay_process(const ProcessFiles& files, const TestSink& sink) {
    return replay_with(files, sink, [&files](const RecordHandler& handler) {
        return for_each_record(files.journal, handler);
    });
}

ProcessReplay replay_process(const ProcessFiles& files) {
    std::vector<TestResult> tests;
    auto replay =
        replay_process(files, [&tests](TestResult&& test) { tests.push_back(std::move(test)); });
    replay.tests = std::move(tests);
    return replay;
}

ProcessReplay replay_process(const ProcessFiles& files, std::string_view content) {
    std::vector<TestResult> tests;
    auto replay = replay_with(
        files, [&tests](TestResult&& test) { tests.push_back(std::move(test)); },
        [&files, content](const RecordHandler& handler) {
            return for_each_record(content, files.journal.filename().string(), handler);
        });
    replay.tests = std::move(tests);
    return replay;
}

}  // namespace blackbox::journal
