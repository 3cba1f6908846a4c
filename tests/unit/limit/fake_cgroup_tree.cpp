#include "fake_cgroup_tree.hpp"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace blackbox::limit::test_support {

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

FakeCgroupTree::FakeCgroupTree()
    : CgroupFs([] {
          // In memory when possible, as the real thing: control files are rewritten all the time,
          // and on ext4 rewriting a file in place costs a writeback (tens of ms per test).
          const char* tmp = std::getenv("TMPDIR");
          std::string base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                             : tmp && *tmp                   ? tmp
                                                             : "/tmp";
          std::string pattern = base + "/blackbox-cgroup-XXXXXX";
          if (::mkdtemp(pattern.data()) == nullptr) {
              throw std::runtime_error("mkdtemp failed");
          }
          return std::filesystem::path(pattern);
      }()) {
    root_ = resolve("/");
    v1_files = {{"cgroup.procs", ""},
                {"cgroup.event_control", ""},
                {"memory.limit_in_bytes", "9223372036854771712\n"},
                {"memory.memsw.limit_in_bytes", "9223372036854771712\n"},
                {"memory.swappiness", "60\n"},
                {"memory.usage_in_bytes", "0\n"},
                {"memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"}};
    v2_files = {{"cgroup.procs", ""},
                {"cgroup.controllers", ""},
                {"cgroup.subtree_control", ""},
                {"memory.current", "0\n"},
                {"memory.high", "max\n"},
                {"memory.max", "max\n"},
                {"memory.swap.max", "max\n"},
                {"memory.oom.group", "0\n"},
                {"memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"}};
}

FakeCgroupTree::~FakeCgroupTree() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
}

void FakeCgroupTree::put(std::string_view path, std::string_view content) const {
    std::filesystem::path file = resolve(path);
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
}

std::string FakeCgroupTree::get(std::string_view path) const {
    std::ifstream in(resolve(path), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

void FakeCgroupTree::make_group(std::string_view path) const {
    std::filesystem::create_directories(resolve(path));
    const bool v1 = path.substr(0, kV1Mount.size()) == kV1Mount;
    for (const auto& [name, content] : v1 ? v1_files : v2_files) {
        put(std::string(path) + "/" + name, content);
    }
}

void FakeCgroupTree::place_us(std::string_view v1_path, std::string_view v2_path) const {
    std::string cgroup = "9:name=systemd:/\n8:pids:/\n";
    if (!v1_path.empty()) {
        cgroup += "4:memory:" + std::string(v1_path) + "\n";
    }
    cgroup += "1:cpu:/\n0::" + std::string(v2_path) + "\n";
    put("/proc/self/cgroup", cgroup);
    std::string mountinfo =
        "23 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n";
    if (!v1_path.empty()) {
        mountinfo +=
            "35 31 0:32 / " + std::string(kV1Mount) + " rw,relatime - cgroup cgroup rw,memory\n";
    }
    mountinfo += "41 31 0:38 / " + std::string(kV2Mount) + " rw,relatime - cgroup2 cgroup2 rw\n";
    put("/proc/self/mountinfo", mountinfo);
}

int FakeCgroupTree::write(std::string_view path, std::string_view bytes) const {
    for (const auto& [suffix, error] : refuse_writes) {
        if (ends_with(path, suffix)) {
            return error;
        }
    }
    if (!std::filesystem::exists(resolve(path))) {
        return ENOENT;
    }
    std::string content(bytes);
    if (ends_with(path, "/cgroup.subtree_control")) {
        // "+memory" adds the word, "-memory" removes it.
        std::string current = get(path);
        std::string word = content.substr(1);
        auto at = current.find(word);
        if (content[0] == '+' && at == std::string::npos) {
            current += (current.empty() ? "" : " ") + word;
        } else if (content[0] == '-' && at != std::string::npos) {
            current.erase(at, word.size());
        }
        content = current;
    }
    put(path, content);
    return 0;
}

int FakeCgroupTree::make_directory(std::string_view path) const {
    if (std::filesystem::exists(resolve(path))) {
        return EEXIST;
    }
    if (!std::filesystem::is_directory(std::filesystem::path(resolve(path)).parent_path())) {
        return ENOENT;
    }
    make_group(path);
    return 0;
}

int FakeCgroupTree::remove_directory(std::string_view path) const {
    const std::filesystem::path dir = resolve(path);
    if (!std::filesystem::is_directory(dir)) {
        return ENOENT;
    }
    if (get(std::string(path) + "/cgroup.procs").find_first_of("0123456789") != std::string::npos) {
        return EBUSY;
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.is_directory()) {
            return EBUSY;  // a child group
        }
    }
    std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace blackbox::limit::test_support
