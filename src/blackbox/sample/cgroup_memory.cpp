#include <algorithm>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/cgroup_memory.hpp>

namespace blackbox::sample {

namespace {

struct FileNames {
    const char* usage;
    const char* limit;
    const char* events;
};

FileNames file_names(int version) {
    if (version == 1) {
        return {"/memory.usage_in_bytes", "/memory.limit_in_bytes", "/memory.oom_control"};
    }
    return {"/memory.current", "/memory.max", "/memory.events"};
}

// The tightest limit of the cgroups above `location` (not itself), up to the hierarchy's root.
MemoryLimit ancestors_limit(const ProcFs& fs, const CgroupLocation& location) {
    MemoryLimit limit;
    std::string_view path = location.path;
    std::string_view directory = location.directory;
    // Only a hierarchy mounted whole shows the ancestors (directory = mount point + path).
    if (!directory.ends_with(path)) {
        return limit;
    }
    std::string_view mount = directory.substr(0, directory.size() - path.size());
    std::string content;
    while (path.size() > 1) {
        path = path.substr(0, path.rfind('/'));
        std::string parent = mount.empty() && path.empty() ? std::string("/") : std::string(mount);
        parent += path;
        // v2's root cgroup has no memory.max; v1's root limit is always "unlimited".
        if (fs.read(parent + file_names(location.version).limit, content)) {
            if (std::optional<MemoryLimit> own = parse_cgroup_limit(content, location.version)) {
                limit = tighter(limit, *own);
            }
        }
    }
    return limit;
}

}  // namespace

std::optional<std::uint64_t> parse_cgroup_bytes(std::string_view text) {
    return base::parse_u64(base::trim(text));
}

std::optional<MemoryLimit> parse_cgroup_limit(std::string_view text, int version) {
    text = base::trim(text);
    if (version == 2 && text == "max") {
        return MemoryLimit{};
    }
    std::optional<std::uint64_t> bytes = base::parse_u64(text);
    if (!bytes) {
        return std::nullopt;
    }
    if (version == 1 && *bytes >= kV1UnlimitedFloor) {
        return MemoryLimit{};
    }
    return MemoryLimit{bytes};
}

std::optional<std::uint64_t> parse_oom_kill(std::string_view text) {
    std::string_view line;
    while (base::next_line(text, line)) {
        if (auto value = base::value_after(line, "oom_kill", ' ')) {
            return base::parse_u64(*value);
        }
    }
    return std::nullopt;
}

MemoryLimit tighter(const MemoryLimit& a, const MemoryLimit& b) {
    if (!a.bytes) {
        return b;
    }
    if (!b.bytes) {
        return a;
    }
    return MemoryLimit{std::min(*a.bytes, *b.bytes)};
}

CgroupMemoryReader::CgroupMemoryReader(const ProcFs& fs, CgroupLocation location)
    : location_(std::move(location)) {
    FileNames names = file_names(location_.version);
    usage_fd_ = fs.open(location_.directory + names.usage);
    limit_fd_ = fs.open(location_.directory + names.limit);
    events_fd_ = fs.open(location_.directory + names.events);
    ancestors_limit_ = ancestors_limit(fs, location_);
}

CgroupMemory CgroupMemoryReader::read() {
    CgroupMemory memory;
    if (usage_fd_ && ProcFs::read_from(usage_fd_.get(), buffer_)) {
        memory.usage = parse_cgroup_bytes(buffer_);
    }
    if (limit_fd_ && ProcFs::read_from(limit_fd_.get(), buffer_)) {
        if (std::optional<MemoryLimit> own = parse_cgroup_limit(buffer_, location_.version)) {
            memory.limit = tighter(*own, ancestors_limit_);
        }
    }
    if (events_fd_ && ProcFs::read_from(events_fd_.get(), buffer_)) {
        memory.oom_kill = parse_oom_kill(buffer_);
    }
    return memory;
}

}  // namespace blackbox::sample
