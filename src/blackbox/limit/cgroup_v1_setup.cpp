#include <blackbox/base/error.hpp>
#include <blackbox/limit/cgroup_setup.hpp>
#include <blackbox/limit/control_file.hpp>

namespace blackbox::limit {

ConfiguredGroup create_v1_group(std::shared_ptr<const CgroupFs> fs, const CgroupDir& parent,
                                std::uint64_t bytes, pid_t owner) {
    ConfiguredGroup made{ControllerGrant{}, OwnedCgroup::create(fs, parent, owner), 0, false, {}};
    const OwnedCgroup& group = made.group;
    const std::string value = std::to_string(bytes) + "\n";
    if (int error = fs->write(group.file("memory.limit_in_bytes"), value); error != 0) {
        throw Error(
            errno_message("cannot set memory.limit_in_bytes of " + group.dir().directory, error));
    }
    made.limit_bytes =
        parse_control_number(fs->read(group.file("memory.limit_in_bytes")).value_or(""))
            .value_or(bytes);

    // memory+swap may not be below memory alone, so it is set second.
    const std::string memsw = group.file("memory.memsw.limit_in_bytes");
    if (fs->exists(memsw)) {
        if (int error = fs->write(memsw, value); error == 0) {
            made.swap_limited = true;
        } else {
            made.notes.push_back(
                errno_message("swap is not limited (memory.memsw.limit_in_bytes)", error));
        }
    } else {
        made.notes.push_back(
            "the kernel does not account swap in cgroup v1 (no memory.memsw.limit_in_bytes)");
    }
    if (!made.swap_limited) {
        // A v1 group with swappiness 0 never swaps its anonymous memory: the limit then holds.
        if (fs->write(group.file("memory.swappiness"), "0\n") == 0) {
            made.swap_limited = true;
            made.notes.push_back("memory.swappiness set to 0 instead, so the group does not swap");
        } else {
            made.notes.push_back("the tree may swap beyond the limit");
        }
    }
    return made;
}

}  // namespace blackbox::limit
