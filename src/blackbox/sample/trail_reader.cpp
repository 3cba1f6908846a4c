#include <limits>
#include <simdjson.h>

#include <fmt/format.h>

#include <blackbox/base/saturating.hpp>
#include <blackbox/journal/line_reader.hpp>
#include <blackbox/sample/trail_reader.hpp>

namespace blackbox::sample {

namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::size_t kMaxWarnings = 20;

// --- figures: one of the wrong type or out of range reads as absent --------------------------
// (The trail may come from another version: unknown keys are ignored too.)

constexpr auto kMaxFigure = static_cast<std::uint64_t>(base::kMaxFigure);

std::optional<std::uint64_t> get_u64(element value) {
    std::uint64_t number = 0;
    if (value.get_uint64().get(number) != SUCCESS || number > kMaxFigure) {
        return std::nullopt;
    }
    return number;
}

std::optional<std::uint64_t> get_u64(object record, std::string_view key) {
    element value;
    if (record.at_key(key).get(value) != SUCCESS) {
        return std::nullopt;
    }
    return get_u64(value);
}

std::optional<std::int64_t> get_i64(object record, std::string_view key) {
    std::int64_t number = 0;
    if (record.at_key(key).get_int64().get(number) != SUCCESS) {
        return std::nullopt;
    }
    return number;
}

std::optional<pid_t> get_pid(element value) {
    std::optional<std::uint64_t> number = get_u64(value);
    if (!number || *number == 0 ||
        *number > static_cast<std::uint64_t>(std::numeric_limits<pid_t>::max())) {
        return std::nullopt;
    }
    return static_cast<pid_t>(*number);
}

std::optional<pid_t> get_pid(object record, std::string_view key) {
    element value;
    if (record.at_key(key).get(value) != SUCCESS) {
        return std::nullopt;
    }
    return get_pid(value);
}

std::optional<double> get_double(object record, std::string_view key) {
    element value;
    if (record.at_key(key).get(value) != SUCCESS) {
        return std::nullopt;
    }
    double number = 0;
    if (value.get_double().get(number) == SUCCESS) {
        return number;
    }
    if (std::optional<std::uint64_t> whole = get_u64(value)) {
        return static_cast<double>(*whole);
    }
    return std::nullopt;
}

std::optional<std::string> get_string(object record, std::string_view key) {
    std::string_view text;
    if (record.at_key(key).get_string().get(text) != SUCCESS) {
        return std::nullopt;
    }
    return std::string(text);
}

std::optional<object> get_object(object record, std::string_view key) {
    object value;
    if (record.at_key(key).get_object().get(value) != SUCCESS) {
        return std::nullopt;
    }
    return value;
}

// A limit: bytes, or null for none; nullopt when absent or malformed.
std::optional<MemoryLimit> get_limit(object record, std::string_view key) {
    element value;
    if (record.at_key(key).get(value) != SUCCESS) {
        return std::nullopt;
    }
    if (value.is_null()) {
        return MemoryLimit{};
    }
    std::optional<std::uint64_t> bytes = get_u64(value);
    if (!bytes) {
        return std::nullopt;
    }
    return MemoryLimit{bytes};
}

// Calls `on_process` with each well-formed [pid, rss] or [pid, rss, name] of `key`.
template <typename OnProcess>
void for_each_process(object record, std::string_view key, OnProcess&& on_process) {
    array list;
    if (record.at_key(key).get_array().get(list) != SUCCESS) {
        return;
    }
    for (element entry : list) {
        array fields;
        if (entry.get_array().get(fields) != SUCCESS || fields.size() < 2) {
            continue;
        }
        std::optional<pid_t> pid = get_pid(fields.at(0).value_unsafe());
        std::optional<std::uint64_t> rss = get_u64(fields.at(1).value_unsafe());
        if (!pid || !rss) {
            continue;
        }
        std::string_view name;
        if (fields.size() > 2 && fields.at(2).get_string().get(name) != SUCCESS) {
            name = {};
        }
        on_process(TopProcess{*pid, *rss, std::string(name)});
    }
}

// --- records: nullopt when a record lacks its essentials (`ns`; `rss` for a sample) -----------

std::optional<SamplerHeader> decode_header(object record) {
    std::optional<std::int64_t> ns = get_i64(record, "ns");
    if (!ns) {
        return std::nullopt;
    }
    SamplerHeader header;
    header.ns = *ns;
    header.version = static_cast<int>(get_i64(record, "v").value_or(0));
    header.interval_s = get_double(record, "interval_s").value_or(0);
    header.top_interval_s = get_double(record, "top_interval_s").value_or(0);
    header.page_size = get_u64(record, "page_size").value_or(0);
    header.root = get_pid(record, "root").value_or(0);
    header.tree = get_string(record, "tree").value_or("");
    header.pss_interval_s = get_double(record, "pss_interval_s");
    header.pss_max_share = get_double(record, "pss_max_share");
    if (std::optional<object> cgroup = get_object(record, "cgroup")) {
        header.cgroup =
            CgroupInfo{static_cast<int>(get_i64(*cgroup, "version").value_or(0)),
                       get_string(*cgroup, "path").value_or(""), get_limit(*cgroup, "limit")};
    }
    array hidden;
    if (record.at_key("hidden").get_array().get(hidden) == SUCCESS) {
        for (element item : hidden) {
            std::string_view text;
            if (item.get_string().get(text) == SUCCESS) {
                header.hidden.emplace_back(text);
            }
        }
    }
    return header;
}

std::optional<Sample> decode_sample(object record) {
    std::optional<std::int64_t> ns = get_i64(record, "ns");
    std::optional<std::uint64_t> rss = get_u64(record, "rss");
    if (!ns || !rss) {
        return std::nullopt;
    }
    Sample sample;
    sample.ns = *ns;
    sample.rss = *rss;
    array list;
    if (record.at_key("procs").get_array().get(list) == SUCCESS) {
        for (element entry : list) {
            array fields;
            if (entry.get_array().get(fields) != SUCCESS || fields.size() < 2) {
                continue;
            }
            std::optional<pid_t> pid = get_pid(fields.at(0).value_unsafe());
            std::optional<std::uint64_t> bytes = get_u64(fields.at(1).value_unsafe());
            std::optional<pid_t> ppid =
                fields.size() > 2 ? get_pid(fields.at(2).value_unsafe()) : std::nullopt;
            std::optional<std::uint64_t> pss =
                fields.size() > 3 ? get_u64(fields.at(3).value_unsafe()) : std::nullopt;
            if (pid && bytes) {
                sample.procs.push_back({*pid, *bytes, ppid.value_or(0), pss});
            }
        }
    }
    sample.pss = get_u64(record, "pss");
    sample.swap = get_u64(record, "swap");
    if (std::optional<object> mem = get_object(record, "mem")) {
        sample.mem = MemInfo{get_u64(*mem, "total"),      get_u64(*mem, "free"),
                             get_u64(*mem, "available"),  get_u64(*mem, "cached"),
                             get_u64(*mem, "swap_total"), get_u64(*mem, "swap_free")};
    }
    if (std::optional<object> psi = get_object(record, "psi")) {
        sample.psi = Pressure{get_double(*psi, "some10"), get_double(*psi, "full10"),
                              get_u64(*psi, "some_us"), get_u64(*psi, "full_us")};
    }
    if (std::optional<object> cg = get_object(record, "cg")) {
        sample.cg =
            CgroupMemory{get_u64(*cg, "usage"), get_limit(*cg, "limit"), get_u64(*cg, "oom_kill")};
    }
    return sample;
}

std::optional<TopRecord> decode_top(object record) {
    std::optional<std::int64_t> ns = get_i64(record, "ns");
    if (!ns) {
        return std::nullopt;
    }
    TopRecord top;
    top.ns = *ns;
    for_each_process(record, "procs",
                     [&](TopProcess&& process) { top.procs.push_back(std::move(process)); });
    return top;
}

std::optional<Note> decode_note(object record) {
    std::optional<std::int64_t> ns = get_i64(record, "ns");
    if (!ns) {
        return std::nullopt;
    }
    return Note{*ns, get_string(record, "what").value_or(""),
                get_string(record, "text").value_or(""), get_pid(record, "pid")};
}

// --- the lines ------------------------------------------------------------------------------

class TrailParser {
  public:
    explicit TrailParser(const TrailHandlers& handlers) : handlers_(handlers) {}

    void line(std::string_view text, std::size_t number) {
        if (text.find_first_not_of(" \t\r") == std::string_view::npos) {
            return;
        }
        // simdjson reads past the end of its input: parse a padded copy (its buffer is reused).
        padded_.assign(text);
        padded_.append(simdjson::SIMDJSON_PADDING, ' ');
        element root;
        object record;
        std::string_view type;
        if (parser_.parse(padded_.data(), text.size(), false).get(root) != SUCCESS ||
            root.get_object().get(record) != SUCCESS ||
            record.at_key("ev").get_string().get(type) != SUCCESS) {
            skip(number, "not a record");
            return;
        }
        bool good = type == "sample"    ? deliver(decode_sample(record), handlers_.on_sample)
                    : type == "top"     ? deliver(decode_top(record), handlers_.on_top)
                    : type == "note"    ? deliver(decode_note(record), handlers_.on_note)
                    : type == "sampler" ? deliver(decode_header(record), handlers_.on_header)
                                        : true;  // a type from a newer writer
        if (good) {
            ++summary_.records;
        } else {
            skip(number, fmt::format("a \"{}\" record without its essential figures", type));
        }
    }

    void oversized(std::size_t number, std::size_t size) {
        skip(number, fmt::format("oversized ({} bytes)", size));
    }

    TrailSummary finish(const journal::LineStats& stats) {
        summary_.readable = stats.readable;
        summary_.torn_tail = stats.torn_bytes > 0;
        if (summary_.torn_tail) {
            warn(fmt::format("torn last line ({} bytes) skipped", stats.torn_bytes));
        }
        return std::move(summary_);
    }

  private:
    template <typename Record, typename Handler>
    static bool deliver(const std::optional<Record>& record, const Handler& handler) {
        if (!record) {
            return false;
        }
        if (handler) {
            handler(*record);
        }
        return true;
    }

    void skip(std::size_t number, const std::string& why) {
        ++summary_.skipped;
        warn(fmt::format("line {}: {}: skipped", number, why));
    }

    void warn(std::string text) {
        if (summary_.warnings.size() < kMaxWarnings) {
            summary_.warnings.push_back(std::move(text));
        }
    }

    const TrailHandlers& handlers_;
    simdjson::dom::parser parser_;
    std::string padded_;
    TrailSummary summary_;
};

}  // namespace

TrailSummary for_each_sample(const std::filesystem::path& path, const TrailHandlers& handlers) {
    TrailParser parser(handlers);
    journal::LineStats stats = journal::read_lines(
        path, kMaxTrailLine,
        [&](std::string_view line, std::size_t number) { parser.line(line, number); },
        [&](std::size_t number, std::size_t size) { parser.oversized(number, size); });
    return parser.finish(stats);
}

TrailSummary for_each_sample_in(std::string_view content, const TrailHandlers& handlers) {
    TrailParser parser(handlers);
    journal::LineStats stats = journal::split_lines(
        content, kMaxTrailLine,
        [&](std::string_view line, std::size_t number) { parser.line(line, number); },
        [&](std::size_t number, std::size_t size) { parser.oversized(number, size); });
    return parser.finish(stats);
}

}  // namespace blackbox::sample
