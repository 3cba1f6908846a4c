#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/store/iso_time.hpp>
#include <blackbox/store/run_rows.hpp>
#include <blackbox/store/test_row.hpp>
#include <blackbox/wire/context_texts.hpp>
#include <blackbox/wire/field_ranges.hpp>
#include <blackbox/wire/field_reader.hpp>
#include <blackbox/wire/run_upload.hpp>
#include <blackbox/wire/upload_rows.hpp>

namespace blackbox::wire {

namespace {

using nlohmann::json;

// The longest crash traceback sent and accepted: the head chunk stays far below any body limit.
constexpr std::size_t kMaxTraceback = 32 * 1024;

template <typename T>
json or_null(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json to_json(const store::TestRow& row) {
    return {{"nodeid", row.nodeid},
            {"outcome", row.outcome},
            {"worker", or_null(row.worker)},
            {"attempt", row.attempt},
            {"start", or_null(row.start)},
            {"setup_s", or_null(row.setup_s)},
            {"call_s", or_null(row.call_s)},
            {"teardown_s", or_null(row.teardown_s)},
            {"total_s", or_null(row.total_s)},
            {"user_s", or_null(row.user_s)},
            {"sys_s", or_null(row.sys_s)},
            {"peak_rss_bytes", or_null(row.peak_rss_bytes)},
            {"peak_exact", row.peak_exact},
            {"peak_tree_rss_bytes", or_null(row.peak_tree_rss_bytes)},
            {"rss_before_bytes", or_null(row.rss_before_bytes)},
            {"rss_after_bytes", or_null(row.rss_after_bytes)},
            {"retained_bytes", or_null(row.retained_bytes)},
            {"monitored", row.monitored},
            {"main_cpu_s", or_null(row.main_cpu_s)},
            {"run_delay_s", or_null(row.run_delay_s)},

            {"reruns", row.reruns}};
}

json to_json(const store::MetricsRow& row) {
    return {{"item_start_time", or_null(row.item_start_time)},
            {"item_path", row.item_path},
            {"item", row.item},
            {"item_variant", row.item_variant},
            {"item_fs_loc", row.item_fs_loc},
            {"kind", row.kind},
            {"component", row.component},
            {"total_time", or_null(row.total_time)},
            {"user_time", or_null(row.user_time)},
            {"kernel_time", or_null(row.kernel_time)},
            {"cpu_usage", or_null(row.cpu_usage)},
            {"mem_usage", or_null(row.mem_usage)},
            {"outcome", row.outcome},
            {"nodeid", row.nodeid}};
}

json to_json(const store::ExecutionContextRow& row) {
    return {{"env_h", row.env_h},
            {"cpu_count", row.cpu_count},
            {"cpu_frequency_mhz", row.cpu_frequency_mhz},
            {"cpu_type", row.cpu_type},
            {"cpu_vendor", row.cpu_vendor},
            {"ram_total_mb", row.ram_total_mb},
            {"machine_node", row.machine_node},
            {"machine_type", row.machine_type},
            {"machine_arch", row.machine_arch},
            {"system_info", row.system_info},
            {"python_info", row.python_info}};
}

store::ExecutionContextRow read_context(FieldReader& in) {
    store::ExecutionContextRow row;
    row.env_h = in.hash("env_h");
    row.cpu_count = count(in, "cpu_count");
    row.cpu_frequency_mhz = count(in, "cpu_frequency_mhz");
    row.ram_total_mb = count(in, "ram_total_mb");
    read_context_texts(in, row);
    return row;
}

json to_json(const postmortem::Crash& crash) {
    std::optional<std::string> traceback = crash.traceback;
    if (traceback && traceback->size() > kMaxTraceback) {
        traceback = traceback->substr(traceback->size() - kMaxTraceback);  // the innermost end
    }
    // The node id as stored (a later pytest session's named so): the server stores what it reads.
    std::optional<std::string> nodeid;
    if (crash.nodeid) {
        nodeid = store::stored_nodeid(crash);
    }
    return {{"nodeid", or_null(nodeid)},
            {"phase", crash.phase},
            {"cause", crash.cause},
            {"signal", or_null(crash.signal)},
            {"exit_code", or_null(crash.exit_code)},
            {"worker", or_null(crash.worker)},
            {"attempt", crash.attempt},
            {"rss_bytes", or_null(crash.rss_bytes)},
            {"evidence", crash.evidence},
            {"traceback", or_null(traceback)}};
}

std::optional<int> small_int(FieldReader& in, std::string_view key) {
    auto value = in.optional_integer(key);
    if (value && (*value < -1'000'000 || *value > 1'000'000)) {
        in.fail(key, "is out of range");
    }
    return value ? std::optional(
                       static_cast<int>(std::clamp<std::int64_t>(*value, -1'000'000, 1'000'000)))
                 : std::nullopt;
}

postmortem::Crash read_crash(FieldReader& in) {
    postmortem::Crash crash;
    crash.nodeid = in.optional_text("nodeid");
    crash.phase = in.text("phase", 16);
    crash.cause = in.text("cause", 64);
    crash.signal = small_int(in, "signal");
    crash.exit_code = small_int(in, "exit_code");
    crash.worker = in.optional_text("worker", 64);
    crash.attempt = small_int(in, "attempt").value_or(1);
    crash.rss_bytes = optional_count(in, "rss_bytes");
    crash.evidence = in.text("evidence", kMaxLongText);
    crash.traceback = in.optional_text("traceback", kMaxTraceback);
    return crash;
}

json to_json(const store::RunRow& run) {
    return {{"run_id", run.run_id},
            {"run_dir", run.run_dir},
            {"started", or_null(run.started)},
            {"ended", or_null(run.ended)},
            {"duration_s", run.duration_s},
            {"command", json::parse(run.command)},
            {"status", run.status},
            {"exit_code", or_null(run.exit_code)},
            {"attempts", run.attempts},
            {"counts",
             {{"collected", run.collected},
              {"passed", run.passed},
              {"failed", run.failed},
              {"skipped", run.skipped},
              {"xfailed", run.xfailed},
              {"xpassed", run.xpassed},
              {"errors", run.errors},
              {"crashed", run.crashed},
              {"not_run", run.not_run}}},
            {"context", json::parse(run.context)},
            {"settings", run.settings.empty() ? json(nullptr) : json::parse(run.settings)},
            {"startup_s", or_null(run.startup_s)},
            {"collection_s", or_null(run.collection_s)},
            {"finish_s", or_null(run.finish_s)}};
}

// A run's settings (docs/http-api.md), made the column's canonical text again: equal settings
// must be equal text whoever sent them. Absent (an older client): unknown, empty.
std::string read_settings(FieldReader& in) {
    const auto* object = in.nested("settings", json::value_t::object);
    if (object == nullptr) {
        return {};
    }
    FieldReader fields(*object, "settings");
    postmortem::RunSettings settings;
    settings.workers = static_cast<std::size_t>(count(fields, "workers"));
    if (object->contains("fsync")) {
        settings.fsync = fields.boolean("fsync");
    }
    settings.shard = fields.optional_text("shard", 64);
    in.adopt(fields);
    return store::run_settings_json(settings);
}

store::RunRow read_run(FieldReader& in) {
    store::RunRow run;
    run.run_id = in.text("run_id", 256);
    run.run_dir = in.text("run_dir");
    run.started = in.optional_text("started", 64);
    run.ended = in.optional_text("ended", 64);
    run.duration_s = optional_seconds(in, "duration_s").value_or(0);
    if (const auto* command = in.nested("command", json::value_t::array)) {
        run.command = base::json_text(*command);
    }
    if (run.command.size() > kMaxLongText) {
        in.fail("command", "is too long");
    }
    run.status = in.text("status", 16);
    run.exit_code = small_int(in, "exit_code");
    run.attempts = count(in, "attempts");
    if (run.attempts > 1'000'000) {
        in.fail("attempts", "is out of range");
    }
    if (const auto* counts = in.nested("counts", json::value_t::object)) {
        FieldReader counted(*counts, "counts");
        for (auto [key, field] : {std::pair{"collected", &run.collected},
                                  {"passed", &run.passed},
                                  {"failed", &run.failed},
                                  {"skipped", &run.skipped},
                                  {"xfailed", &run.xfailed},
                                  {"xpassed", &run.xpassed},
                                  {"errors", &run.errors},
                                  {"crashed", &run.crashed},
                                  {"not_run", &run.not_run}}) {
            *field = count(counted, key);
        }
        in.adopt(counted);
    } else {
        in.fail("counts", "is missing");
    }
    const auto* context = in.nested("context", json::value_t::object);
    run.context = context ? base::json_text(*context) : "{}";
    if (run.context.size() > kMaxLongText) {
        in.fail("context", "is too long");
    }
    run.settings = read_settings(in);
    run.startup_s = optional_seconds(in, "startup_s");
    run.collection_s = optional_seconds(in, "collection_s");
    run.finish_s = optional_seconds(in, "finish_s");
    return run;
}

// Reads the array under `key` with `read`, each element with its own reader; the first problem
// names the element.
template <typename Row, typename Read>
void read_rows(FieldReader& in, std::string_view key, std::vector<Row>& rows, Read read) {
    const auto* array = in.nested(key, json::value_t::array);
    if (array == nullptr) {
        return;
    }
    if (array->size() > kMaxUploadRows) {
        in.fail(key, fmt::format("has more than {} rows", kMaxUploadRows));
        return;
    }
    rows.reserve(array->size());
    for (std::size_t i = 0; i < array->size() && in.ok(); ++i) {
        FieldReader element((*array)[i], fmt::format("{}[{}]", key, i));
        rows.push_back(read(element));
        in.adopt(element);
    }
}

store::UploadHead read_head(FieldReader& in, const json& body) {
    store::UploadHead head;
    if (const auto* context = in.nested("context", json::value_t::object)) {
        FieldReader reader(*context, "context");
        head.context = read_context(reader);
        in.adopt(reader);
    } else {
        in.fail("context", "is missing from the head chunk");
    }
    if (const auto* session = in.nested("session", json::value_t::object)) {
        FieldReader reader(*session, "session");
        head.session.run_date = reader.text("run_date", 64);
        head.session.scm_id = reader.text("scm_id", 128);
        head.session.run_description = reader.text("run_description", kMaxLongText);
        in.adopt(reader);
    } else {
        in.fail("session", "is missing from the head chunk");
    }
    FieldReader run(body.at("run"), "run");
    head.run = read_run(run);
    in.adopt(run);
    head.session.run_id = head.run.run_id;
    read_rows(in, "crashes", head.crashes, read_crash);
    return head;
}

}  // namespace

ParsedUpload parse_upload(const json& body) {
    FieldReader in(body, "upload");
    store::RunUpload upload;
    upload.session_h = in.hash("session_h");
    upload.env_h = in.hash("env_h");
    auto chunk = in.integer("chunk");
    auto chunks = in.integer("chunks");
    if (in.ok() && (chunks < 1 || chunks > 1'000'000 || chunk < 0 || chunk >= chunks)) {
        in.fail("chunk", "must be within 0 .. chunks - 1");
    }
    upload.chunk = static_cast<std::size_t>(chunk);
    upload.chunks = static_cast<std::size_t>(chunks);
    if (in.ok() && in.nested("run", json::value_t::object) != nullptr) {
        upload.head = read_head(in, body);
        if (in.ok()) {
            upload.head->session.session_h = upload.session_h;
            if (upload.head->context.env_h != upload.env_h) {
                in.fail("context", "env_h differs from the chunk's env_h");
            }
        }
    }
    read_rows(in, "tests", upload.tests, read_test_row<FieldReader>);
    read_rows(in, "metrics", upload.metrics, read_metrics_row<FieldReader>);
    if (!in.ok()) {
        return {std::nullopt, in.error()};
    }
    return {std::move(upload), {}};
}

namespace {

// Collects the rows of a run as JSON text, for chunking.
class JsonRows : public store::RowSink {
  public:
    void write_test(const store::TestRow& row) override {
        tests.push_back(base::json_text(to_json(row)));
    }
    void write_metrics(const store::MetricsRow& row) override {
        metrics.push_back(base::json_text(to_json(row)));
    }
    std::vector<std::string> tests, metrics;
};

store::RunRow run_row(const postmortem::RunModel& run, const store::SessionRow& session) {
    store::RunRow row;
    row.run_id = session.run_id;
    std::error_code error;
    row.run_dir = std::filesystem::absolute(run.dir, error).lexically_normal().string();
    if (!session.run_date.empty()) {
        row.started = session.run_date;
    }
    if (run.finished && run.ended) {
        auto wall_ns = base::parse_iso8601_utc(*run.ended);
        row.ended = wall_ns ? store::iso_utc(static_cast<double>(*wall_ns) / 1e9) : *run.ended;
    }
    row.duration_s = run.duration_s;
    row.command = base::json_text(json(run.command));
    row.status = run.status;
    if (run.blackbox_exit_code) {
        row.exit_code = *run.blackbox_exit_code;
    }
    row.attempts = run.attempts;
    store::set_counts(row, run.counts);
    store::set_settings_and_course(row, run);
    row.context = run.context.is_object() ? base::json_text(run.context) : "{}";
    return row;
}

}  // namespace

std::vector<std::string> upload_chunks(const postmortem::RunModel& run, std::size_t max_bytes) {
    const auto context = store::execution_context_row(run.context);
    const auto session = store::session_row(run);
    JsonRows rows;
    store::write_test_rows(run, rows);

    json head = {{"context", to_json(context)},
                 {"session",
                  {{"run_date", session.run_date},
                   {"scm_id", session.scm_id},
                   {"run_description", session.run_description}}},
                 {"run", to_json(run_row(run, session))},
                 {"crashes", json::array()}};
    for (const auto& crash : run.crashes) {
        head["crashes"].push_back(to_json(crash));
    }

    // Chunks are assembled as text: a 100,000-test run is not built as one JSON tree.
    std::vector<std::pair<std::string, std::string>> bodies;  // tests, metrics (comma-joined)
    std::size_t t = 0, m = 0;
    while (t < rows.tests.size() || m < rows.metrics.size()) {
        std::string tests, metrics;
        std::size_t size = 0;
        auto add = [&](std::string& into, const std::string& row) {
            if (size > 0 && size + row.size() + 1 > max_bytes) {
                return false;
            }
            into += (into.empty() ? "" : ",") + row;
            size += row.size() + 1;
            return true;
        };
        while (t < rows.tests.size() && add(tests, rows.tests[t])) {
            ++t;
        }
        while (t == rows.tests.size() && m < rows.metrics.size() && add(metrics, rows.metrics[m])) {
            ++m;
        }
        bodies.emplace_back(std::move(tests), std::move(metrics));
    }
    const std::size_t chunks = bodies.size() + 1;
    const std::string keys = fmt::format(R"("session_h":{},"env_h":{},"chunks":{})",
                                         base::json_text(json(session.session_h)),
                                         base::json_text(json(context.env_h)), chunks);
    std::vector<std::string> out;
    out.reserve(chunks);
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        out.push_back(fmt::format(R"({{{},"chunk":{},"tests":[{}],"metrics":[{}]}})", keys, i,
                                  bodies[i].first, bodies[i].second));
    }
    head["session_h"] = session.session_h;
    head["env_h"] = context.env_h;
    head["chunk"] = chunks - 1;
    head["chunks"] = chunks;
    out.push_back(base::json_text(head));
    return out;
}

}  // namespace blackbox::wire
