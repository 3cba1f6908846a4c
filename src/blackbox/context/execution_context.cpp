#include <algorithm>
#include <map>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/context/ci_detection.hpp>
#include <blackbox/context/cpuinfo.hpp>
#include <blackbox/context/execution_context.hpp>
#include <blackbox/context/git_state.hpp>
#include <blackbox/context/meminfo.hpp>
#include <blackbox/context/os_release.hpp>

namespace blackbox::context {

namespace {

using nlohmann::json;

// Beyond this many CPUs the cpufreq files are not all read (each is a separate open).
constexpr int kMaxCpufreqFiles = 256;

template <typename T>
json or_null(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json field_or_null(const std::map<std::string, std::string>& fields, const std::string& key) {
    auto found = fields.find(key);
    return found != fields.end() ? json(found->second) : json(nullptr);
}

json kernel(const std::optional<Uname>& uts) {
    if (!uts) {
        return {{"sysname", nullptr}, {"release", nullptr}, {"version", nullptr}};
    }
    return {{"sysname", uts->sysname}, {"release", uts->release}, {"version", uts->version}};
}

json os(const Sources& sources) {
    std::map<std::string, std::string> fields;
    for (const char* path : kOsReleasePaths) {
        if (std::optional<std::string> text = sources.read_file(path)) {
            fields = parse_os_release(*text);
            break;
        }
    }
    return {{"id", field_or_null(fields, "ID")},
            {"name", field_or_null(fields, "NAME")},
            {"version_id", field_or_null(fields, "VERSION_ID")},
            {"pretty_name", field_or_null(fields, "PRETTY_NAME")}};
}

// Online CPUs: sysconf, else the kernel's online list, else the processors cpuinfo lists.
std::optional<int> cpu_count(const Sources& sources, const CpuInfo& info) {
    if (std::optional<int> online = sources.online_cpus(); online && *online > 0) {
        return online;
    }
    if (std::optional<std::string> list = sources.read_file("/sys/devices/system/cpu/online")) {
        if (std::optional<int> counted = count_cpu_list(*list); counted && *counted > 0) {
            return counted;
        }
    }
    if (info.processors > 0) {
        return info.processors;
    }
    return std::nullopt;
}

// The fastest core by cpufreq: cpuinfo_max_freq, or scaling_cur_freq where the maximum is hidden.
// On big.LITTLE phones cpu0 is a slow core, hence the maximum over all.
std::optional<double> cpufreq_mhz(const Sources& sources, std::optional<int> count) {
    std::optional<double> fastest;
    int cpus = std::min(count.value_or(1), kMaxCpufreqFiles);
    for (int cpu = 0; cpu < cpus; ++cpu) {
        std::string directory = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpufreq/";
        std::optional<double> mhz;
        for (const char* file : {"cpuinfo_max_freq", "scaling_cur_freq"}) {
            if (std::optional<std::string> text = sources.read_file(directory + file)) {
                mhz = parse_cpufreq_khz_as_mhz(*text);
            }
            if (mhz) {
                break;
            }
        }
        if (mhz && (!fastest || *mhz > *fastest)) {
            fastest = mhz;
        }
    }
    return fastest;
}

// cpuinfo's "cpu MHz" when it has one (x86), else cpufreq (arm64 kernels print no MHz). As in
// pytest-monitor, PYTEST_MONITOR_FORCE_CPU_FREQ=1 imposes PYTEST_MONITOR_CPU_FREQ, which is also
// the fallback when nothing can be read (Android may hide cpufreq).
std::optional<double> cpu_mhz(const Sources& sources, const CpuInfo& info,
                              std::optional<int> count) {
    std::optional<double> configured;
    if (std::optional<std::string> text = sources.getenv("PYTEST_MONITOR_CPU_FREQ")) {
        configured = base::parse_decimal(base::trim(*text));
    }
    std::optional<std::string> force = sources.getenv("PYTEST_MONITOR_FORCE_CPU_FREQ");
    if (force && base::parse_u64(base::trim(*force)).value_or(0) != 0) {
        return configured;
    }
    if (info.mhz) {
        return info.mhz;
    }
    if (std::optional<double> mhz = cpufreq_mhz(sources, count)) {
        return mhz;
    }
    return configured;
}

// Set by the Termux app in every shell it starts ("0.118.0"); an empty value counts as unset.
json termux_version(const Sources& sources) {
    std::optional<std::string> version = sources.getenv("TERMUX_VERSION");
    return version && !version->empty() ? json(*version) : json(nullptr);
}

json cpu(const Sources& sources) {
    std::optional<std::string> text = sources.read_file("/proc/cpuinfo");
    CpuInfo info = text ? parse_cpuinfo(*text) : CpuInfo{};
    std::optional<int> count = cpu_count(sources, info);
    return {{"model", or_null(info.model)},
            {"vendor", or_null(info.vendor)},
            {"count", or_null(count)},
            {"frequency_mhz", or_null(cpu_mhz(sources, info, count))}};
}

json memory_total_bytes(const Sources& sources) {
    std::optional<std::string> text = sources.read_file("/proc/meminfo");
    return text ? or_null(parse_meminfo_total(*text)) : json(nullptr);
}

json git(const Sources& sources, const std::optional<std::string>& cwd) {
    std::optional<GitState> state = probe_git(sources, cwd);
    if (!state) {
        return nullptr;
    }
    return {{"commit", or_null(state->commit)},
            {"branch", or_null(state->branch)},
            {"dirty", or_null(state->dirty)}};
}

json ci(const Sources& sources) {
    std::optional<CiInfo> detected =
        detect_ci([&sources](const std::string& name) { return sources.getenv(name); });
    if (!detected) {
        return nullptr;
    }
    return {{"name", detected->name},
            {"build", or_null(detected->build)},
            {"branch", or_null(detected->branch)},
            {"commit", or_null(detected->commit)},
            {"url", or_null(detected->url)}};
}

}  // namespace

json gather_execution_context(const Sources& sources) {
    std::optional<Uname> uts = sources.uname();
    std::optional<std::string> hostname = sources.hostname();
    if (!hostname && uts && !uts->nodename.empty()) {
        hostname = uts->nodename;
    }
    std::optional<std::string> cwd = sources.cwd();
    return {{"hostname", or_null(hostname)},
            {"kernel", kernel(uts)},
            {"machine", uts ? json(uts->machine) : json(nullptr)},
            {"os", os(sources)},
            {"termux_version", termux_version(sources)},
            {"cpu", cpu(sources)},
            {"memory_total_bytes", memory_total_bytes(sources)},
            {"cwd", or_null(cwd)},
            {"git", git(sources, cwd)},
            {"ci", ci(sources)}};
}

}  // namespace blackbox::context
