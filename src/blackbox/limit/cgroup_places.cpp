#include <vector>

#include <blackbox/limit/cgroup_places.hpp>

namespace blackbox::limit {

namespace {

bool next_line(std::string_view& text, std::string_view& line) {
    if (text.empty()) {
        return false;
    }
    auto end = text.find('\n');
    line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return true;
}

bool has_item(std::string_view list, std::string_view item, char separator) {
    while (!list.empty()) {
        auto end = list.find(separator);
        if (list.substr(0, end) == item) {
            return true;
        }
        list.remove_prefix(end == std::string_view::npos ? list.size() : end + 1);
    }
    return false;
}

// mountinfo escapes blanks, tabs, newlines and backslashes in paths as \ooo.
std::string unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && text.size() - i > 3) {
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
    std::string root;   // the part of the hierarchy mounted ("/" for all of it)
    std::string point;  // where it is mounted
};

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        auto start = text.find_first_not_of(' ');
        if (start == std::string_view::npos) {
            break;
        }
        text.remove_prefix(start);
        auto end = text.find(' ');
        out.push_back(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    return out;
}

// Mounts of the v1 hierarchy with "memory" (version 1) or of cgroup2 (version 2).
std::vector<Mount> find_mounts(std::string_view mountinfo, int version) {
    std::vector<Mount> mounts;
    std::string_view line;
    while (next_line(mountinfo, line)) {
        auto separator = line.find(" - ");
        if (separator == std::string_view::npos) {
            continue;
        }
        auto head = words(line.substr(0, separator));
        auto tail = words(line.substr(separator + 3));
        if (head.size() < 5 || tail.size() < 3) {
            continue;
        }
        const bool wanted = version == 2 ? tail[0] == "cgroup2"
                                         : tail[0] == "cgroup" && has_item(tail[2], "memory", ',');
        if (wanted) {
            mounts.push_back({unescape(head[3]), unescape(head[4])});
        }
    }
    return mounts;
}

// The directory of `path` (a group of the hierarchy) under the mount that reaches it, the one
// with the longest root when several do.
std::optional<std::string> directory_of(const std::string& path, const std::vector<Mount>& mounts) {
    const Mount* best = nullptr;
    for (const auto& mount : mounts) {
        const std::string& root = mount.root;
        const bool contains = root == "/" || path == root ||
                              (path.size() > root.size() &&
                               path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
        if (contains && (!best || root.size() > best->root.size())) {
            best = &mount;
        }
    }
    if (!best) {
        return std::nullopt;
    }
    const std::string rest = best->root == "/" ? path : path.substr(best->root.size());
    std::string directory = best->point;
    if (!rest.empty() && rest != "/") {
        if (directory.size() > 1 && directory.back() == '/') {
            directory.pop_back();
        }
        directory += directory == "/" ? rest.substr(1) : rest;
    }
    return directory;
}

}  // namespace

CgroupPlaces locate_cgroups(std::string_view proc_cgroup, std::string_view mountinfo) {
    std::optional<std::string> v1_path;
    std::optional<std::string> v2_path;
    std::string_view line;
    while (next_line(proc_cgroup, line)) {
        // "4:memory:/a/b" or "0::/a/b"; a path may itself hold ':'.
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
            v2_path = std::move(path);
        } else if (has_item(controllers, "memory", ',')) {
            v1_path = std::move(path);
        }
    }
    CgroupPlaces places;
    if (v1_path) {
        if (auto dir = directory_of(*v1_path, find_mounts(mountinfo, 1))) {
            places.v1_memory = CgroupDir{1, std::move(*dir)};
        }
    }
    if (v2_path) {
        if (auto dir = directory_of(*v2_path, find_mounts(mountinfo, 2))) {
            places.v2 = CgroupDir{2, std::move(*dir)};
        }
    }
    return places;
}

std::optional<CgroupDir> memory_cgroup(const CgroupPlaces& places) {
    return places.v1_memory ? places.v1_memory : places.v2;
}

CgroupPlaces find_cgroups(const CgroupFs& fs) {
    auto proc_cgroup = fs.read("/proc/self/cgroup");
    auto mountinfo = fs.read("/proc/self/mountinfo");
    if (!proc_cgroup || !mountinfo) {
        return {};
    }
    return locate_cgroups(*proc_cgroup, *mountinfo);
}

}  // namespace blackbox::limit
