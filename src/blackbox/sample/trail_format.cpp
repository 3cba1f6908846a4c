#include <iterator>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/json_text.hpp>
#include <blackbox/sample/trail_format.hpp>

namespace blackbox::sample {

namespace {

// Records are written with their keys in the documented order, "ev" and "ns" first.
using ordered = nlohmann::ordered_json;

std::string finish(const ordered& record) {
    std::string line = base::json_text(record);
    line += '\n';
    return line;
}

template <typename T>
void put(ordered& object, const char* key, const std::optional<T>& value) {
    if (value) {
        object[key] = *value;
    }
}

ordered limit_json(const MemoryLimit& limit) {
    return limit.bytes ? ordered(*limit.bytes) : ordered(nullptr);
}

}  // namespace

std::string encode_line(const SamplerHeader& header) {
    ordered record = {{"ev", "sampler"},
                      {"ns", header.ns},
                      {"v", header.version},
                      {"interval_s", header.interval_s},
                      {"top_interval_s", header.top_interval_s},
                      {"page_size", header.page_size},
                      {"root", header.root},
                      {"tree", header.tree},
                      {"cgroup", nullptr},
                      {"hidden", header.hidden}};
    put(record, "pss_interval_s", header.pss_interval_s);
    put(record, "pss_max_share", header.pss_max_share);
    if (header.cgroup) {
        ordered cgroup = {{"version", header.cgroup->version}, {"path", header.cgroup->path}};
        if (header.cgroup->limit) {
            cgroup["limit"] = limit_json(*header.cgroup->limit);
        }
        record["cgroup"] = std::move(cgroup);
    }
    return finish(record);
}

// Samples are the hot path (20 a second, the sampler's thread waking cold each time): written
// with fmt into one string, not through a JSON tree; only numbers, so nothing to escape.
std::string encode_line(const Sample& sample) {
    std::string line;
    line.reserve(320 + 24 * sample.procs.size());
    auto out = std::back_inserter(line);
    fmt::format_to(out, "{{\"ev\":\"sample\",\"ns\":{},\"rss\":{},\"procs\":[", sample.ns,
                   sample.rss);
    const char* separator = "";
    for (const ProcessMemory& process : sample.procs) {
        if (process.pss) {
            fmt::format_to(out, "{}[{},{},{},{}]", separator, process.pid, process.rss,
                           process.ppid, *process.pss);
        } else {
            fmt::format_to(out, "{}[{},{},{}]", separator, process.pid, process.rss, process.ppid);
        }
        separator = ",";
    }
    line += ']';
    // Writes ,"key":value for each present field of a group.
    auto field = [&](const char* key, const auto& value) {
        if (value) {
            fmt::format_to(out, "{}\"{}\":{}", separator, key, *value);
            separator = ",";
        }
    };
    separator = ",";
    field("pss", sample.pss);
    field("swap", sample.swap);
    line += ",\"mem\":{";
    separator = "";
    field("total", sample.mem.total);
    field("free", sample.mem.free);
    field("available", sample.mem.available);
    field("cached", sample.mem.cached);
    field("swap_total", sample.mem.swap_total);
    field("swap_free", sample.mem.swap_free);
    line += '}';
    if (sample.psi) {
        line += ",\"psi\":{";
        separator = "";
        field("some10", sample.psi->some10);
        field("full10", sample.psi->full10);
        field("some_us", sample.psi->some_us);
        field("full_us", sample.psi->full_us);
        line += '}';
    }
    if (sample.cg) {
        line += ",\"cg\":{";
        separator = "";
        field("usage", sample.cg->usage);
        if (sample.cg->limit) {
            fmt::format_to(out, "{}\"limit\":", separator);
            if (sample.cg->limit->bytes) {
                fmt::format_to(out, "{}", *sample.cg->limit->bytes);
            } else {
                line += "null";
            }
            separator = ",";
        }
        field("oom_kill", sample.cg->oom_kill);
        line += '}';
    }
    line += "}\n";
    return line;
}

std::string encode_line(const TopRecord& top) {
    ordered procs = ordered::array();
    for (const TopProcess& process : top.procs) {
        procs.push_back({process.pid, process.rss, process.name});
    }
    return finish({{"ev", "top"}, {"ns", top.ns}, {"procs", std::move(procs)}});
}

std::string encode_line(const Note& note) {
    ordered record = {{"ev", "note"}, {"ns", note.ns}, {"what", note.what}, {"text", note.text}};
    put(record, "pid", note.pid);
    return finish(record);
}

}  // namespace blackbox::sample
