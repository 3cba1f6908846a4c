#pragma once

// A fake machine for the memory-limit code: a temporary directory holding /proc/self/cgroup,
// /proc/self/mountinfo and cgroup directories, seen through a CgroupFs that acts as the kernel
// does where the code depends on it: a new group gets its control files on mkdir (v1 ones under
// the v1 memory mount, v2 ones elsewhere), a control-file write replaces the content
// ("+memory"/"-memory" edit cgroup.subtree_control), rmdir of a group that lists processes is
// EBUSY, and chosen writes fail with a chosen errno.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <blackbox/limit/cgroup_fs.hpp>

namespace blackbox::limit::test_support {

class FakeCgroupTree : public CgroupFs {
  public:
    // Where the fake v1 memory hierarchy is mounted; groups below get v1 control files.
    static constexpr std::string_view kV1Mount = "/sys/fs/cgroup/memory";
    // Where the fake cgroup2 hierarchy is mounted (hybrid layout).
    static constexpr std::string_view kV2Mount = "/sys/fs/cgroup/unified";

    FakeCgroupTree();
    ~FakeCgroupTree() override;

    const std::filesystem::path& root() const { return root_; }

    // Creates a file (and its directories) at a path of the fake machine.
    void put(std::string_view path, std::string_view content) const;
    // The content of a file of the fake machine; "" when missing.
    std::string get(std::string_view path) const;
    // Creates a cgroup directory with the control files of its version.
    void make_group(std::string_view path) const;

    // Writes /proc/self/cgroup and /proc/self/mountinfo: we are in `v1_path` of the memory
    // hierarchy (none when empty) and `v2_path` of the unified one.
    void place_us(std::string_view v1_path, std::string_view v2_path) const;

    // Writes to a path ending with the key fail with the errno given.
    std::map<std::string, int> refuse_writes;
    // The files a new v1 group gets, and a new v2 group.
    std::map<std::string, std::string> v1_files;
    std::map<std::string, std::string> v2_files;

    int write(std::string_view path, std::string_view bytes) const override;
    int make_directory(std::string_view path) const override;
    int remove_directory(std::string_view path) const override;

  private:
    std::filesystem::path root_;
};

}  // namespace blackbox::limit::test_support
