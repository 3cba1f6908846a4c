#include <blackbox/sample/cgroup_location.hpp>
#include <blackbox/sample/kernel_text.hpp>

namespace blackbox::sample {

namespace {

struct Membership {
    std::optional<std::string> v1_memory;  // the path in the v1 hierarchy with "memory"
    std::optional<std::string> v2;         // the path of "0::" in the unified hierarchy
};

bool has_item(std::string_view list, std::string_view item) {
    while (!list.empty()) {
        auto comma = list.find(',');
        if (list.substr(0, comma) == item) {
            return true;
        }
        list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    }
    return false;
}

// "4:memory:/a/b" or "0::/a/b" lines; a path may itself contain ':'.
Membership parse_membership(std::string_view text) {
    Membership membership;
    std::string_view line;
    while (next_line(text, line)) {
        auto first = line.find(':');
        auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
        if (second == std::string_view::npos) {
            continue;
        }
        std::string_view id = line.substr(0, first);
        std::string_view controllers = line.substr(first + 1, second - first - 1);
        std::string path(line.substr(second + 1));
        if (id == "0" && controllers.empty()) {
            membership.v2 = path;
        } else if (has_item(controllers, "memory")) {
            membership.v1_memory = path;
        }
    }
    return membership;
}

// mountinfo escapes blanks and backslashes in paths as \ooo.
std::string unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            std::string_view digits = text.substr(i + 1, 3);
            if (digits.size() == 3 && digits[0] >= '0' && digits[0] <= '3' && digits[1] >= '0' &&
                digits[1] <= '7' && digits[2] >= '0' && digits[2] <= '7') {
                out += static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 +
                                         (digits[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

struct Mount {
    std::string root;   // the subtree of the hierarchy mounted ("/" for all of it)
    std::string point;  // where it is mounted
};

// The first mount of a cgroup hierarchy: cgroup2 when `version` is 2, else a v1 hierarchy
// whose super options hold "memory".
std::optional<Mount> find_mount(std::string_view mountinfo, int version) {
    std::string_view line;
    while (next_line(mountinfo, line)) {
        auto separator = line.find(" - ");
        if (separator == std::string_view::npos) {
            continue;
        }
        std::string_view head = line.substr(0, separator);
        std::string_view tail = line.substr(separator + 3);
        std::string_view type;
        std::string_view source;
        std::string_view options;
        if (!next_word(tail, type) || !next_word(tail, source)) {
            continue;
        }
        next_word(tail, options);
        bool wanted =
            version == 2 ? type == "cgroup2" : type == "cgroup" && has_item(options, "memory");
        if (!wanted) {
            continue;
        }
        std::string_view id, parent, device, root, point;
        if (next_word(head, id) && next_word(head, parent) && next_word(head, device) &&
            next_word(head, root) && next_word(head, point)) {
            return Mount{unescape(root), unescape(point)};
        }
    }
    return std::nullopt;
}

// The directory of cgroup `path` under `mount`; nullopt when the mount shows another subtree.
std::optional<std::string> directory_of(const Mount& mount, const std::string& path) {
    std::string_view relative = path;
    if (mount.root != "/") {
        if (relative.substr(0, mount.root.size()) != mount.root ||
            (relative.size() > mount.root.size() && relative[mount.root.size()] != '/')) {
            return std::nullopt;
        }
        relative.remove_prefix(mount.root.size());
    }
    std::string directory = mount.point;
    while (directory.size() > 1 && directory.back() == '/') {
        directory.pop_back();
    }
    if (relative.empty() || relative == "/") {
        return directory;
    }
    if (directory == "/") {
        return std::string(relative);
    }
    directory += relative;
    return directory;
}

}  // namespace

std::optional<CgroupLocation> locate_memory_cgroup(std::string_view proc_cgroup,
                                                   std::string_view mountinfo) {
    Membership membership = parse_membership(proc_cgroup);
    for (int version : {1, 2}) {
        const std::optional<std::string>& path =
            version == 1 ? membership.v1_memory : membership.v2;
        if (!path || path->empty() || path->front() != '/') {
            continue;
        }
        std::optional<Mount> mount = find_mount(mountinfo, version);
        if (!mount) {
            continue;
        }
        if (std::optional<std::string> directory = directory_of(*mount, *path)) {
            return CgroupLocation{version, *path, *directory};
        }
    }
    return std::nullopt;
}

std::optional<CgroupLocation> find_memory_cgroup(const ProcFs& fs, pid_t pid) {
    std::optional<std::string> proc_cgroup = fs.read("/proc/" + std::to_string(pid) + "/cgroup");
    std::optional<std::string> mountinfo = fs.read("/proc/self/mountinfo");
    if (!proc_cgroup || !mountinfo) {
        return std::nullopt;
    }
    return locate_memory_cgroup(*proc_cgroup, *mountinfo);
}

}  // namespace blackbox::sample
