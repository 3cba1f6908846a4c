#include <vector>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/cgroup_location.hpp>

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
    while (base::next_line(text, line)) {
        auto first = line.find(':');
        auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
        if (second == std::string_view::npos) {
            continue;
        }
        std::string_view id = line.substr(0, first);
        std::string_view controllers = line.substr(first + 1, second - first - 1);
        std::string path(line.substr(second + 1));
        if (path.empty() || path.front() != '/') {
            continue;  // "(deleted)" suffixes are kept; a relative path is not ours to use
        }
        if (id == "0" && controllers.empty()) {
            membership.v2 = std::move(path);
        } else if (has_item(controllers, "memory")) {
            membership.v1_memory = std::move(path);
        }
    }
    return membership;
}

// mountinfo escapes blanks, tabs, newlines and backslashes in paths as \ooo.
std::string unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            const char a = text[i + 1];
            const char b = text[i + 2];
            const char c = text[i + 3];
            if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
                out += static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0'));
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

// The mounts of a cgroup hierarchy: cgroup2 when `version` is 2, else a v1 hierarchy whose
// super options hold "memory".
std::vector<Mount> find_mounts(std::string_view mountinfo, int version) {
    std::vector<Mount> mounts;
    std::string_view line;
    while (base::next_line(mountinfo, line)) {
        auto separator = line.find(" - ");
        if (separator == std::string_view::npos) {
            continue;
        }
        std::string_view head = line.substr(0, separator);
        std::string_view tail = line.substr(separator + 3);
        std::string_view type;
        std::string_view source;
        std::string_view options;
        if (!base::next_word(tail, type) || !base::next_word(tail, source)) {
            continue;
        }
        base::next_word(tail, options);
        bool wanted =
            version == 2 ? type == "cgroup2" : type == "cgroup" && has_item(options, "memory");
        if (!wanted) {
            continue;
        }
        std::string_view id, parent, device, root, point;
        if (base::next_word(head, id) && base::next_word(head, parent) &&
            base::next_word(head, device) && base::next_word(head, root) &&
            base::next_word(head, point)) {
            mounts.push_back(Mount{unescape(root), unescape(point)});
        }
    }
    return mounts;
}

// Whether a mount of the subtree `root` shows the group `path`.
bool contains(const std::string& root, const std::string& path) {
    return root == "/" || path == root ||
           (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
            path[root.size()] == '/');
}

// The directory of cgroup `path` under the mount that shows it, the one with the longest root
// when several do; nullopt when every mount shows another subtree.
std::optional<std::string> directory_of(const std::string& path, const std::vector<Mount>& mounts) {
    const Mount* best = nullptr;
    for (const Mount& mount : mounts) {
        if (contains(mount.root, path) && (!best || mount.root.size() > best->root.size())) {
            best = &mount;
        }
    }
    if (!best) {
        return std::nullopt;
    }
    std::string_view relative = path;
    if (best->root != "/") {
        relative.remove_prefix(best->root.size());
    }
    std::string directory = best->point;
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

std::optional<CgroupLocation> locate(const std::optional<std::string>& path,
                                     std::string_view mountinfo, int version) {
    if (!path) {
        return std::nullopt;
    }
    std::optional<std::string> directory = directory_of(*path, find_mounts(mountinfo, version));
    if (!directory) {
        return std::nullopt;
    }
    return CgroupLocation{version, *path, std::move(*directory)};
}

}  // namespace

CgroupLocations locate_cgroups(std::string_view proc_cgroup, std::string_view mountinfo) {
    Membership membership = parse_membership(proc_cgroup);
    return CgroupLocations{locate(membership.v1_memory, mountinfo, 1),
                           locate(membership.v2, mountinfo, 2)};
}

std::optional<CgroupLocation> locate_memory_cgroup(std::string_view proc_cgroup,
                                                   std::string_view mountinfo) {
    CgroupLocations locations = locate_cgroups(proc_cgroup, mountinfo);
    return locations.v1_memory ? locations.v1_memory : locations.v2;
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
