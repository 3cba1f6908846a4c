#include <cerrno>

#include <blackbox/base/error.hpp>
#include <blackbox/limit/cgroup_setup.hpp>
#include <blackbox/limit/control_file.hpp>

namespace blackbox::limit {

ControllerGrant::~ControllerGrant() {
    if (parent_.empty() || !fs_) {
        return;
    }
    try {
        auto children = fs_->subdirectories(parent_);
        if (children && children->empty()) {
            fs_->write(control_file(parent_, "cgroup.subtree_control"), "-memory");
        }
    } catch (...) {
        // Allocation failed: the controller stays enabled, which is harmless.
    }
}

ConfiguredGroup create_v2_group(std::shared_ptr<const CgroupFs> fs, const CgroupDir& parent,
                                std::uint64_t bytes, pid_t owner) {
    const std::string& dir = parent.directory;
    auto controllers = fs->read(control_file(dir, "cgroup.controllers"));
    if (!controllers) {
        throw Error("cannot read " + control_file(dir, "cgroup.controllers"));
    }
    if (!lists_word(*controllers, "memory")) {
        throw Error("the memory controller is not delegated to " + dir +
                    " (its cgroup.controllers has no \"memory\")");
    }
    const bool enable =
        !lists_word(fs->read(control_file(dir, "cgroup.subtree_control")).value_or(""), "memory");
    if (enable) {
        const int error = fs->write(control_file(dir, "cgroup.subtree_control"), "+memory");
        if (error == EBUSY) {
            throw Error("cannot enable the memory controller below " + dir +
                        ": processes live in that group itself (a group with processes cannot "
                        "pass controllers down)");
        }
        if (error != 0) {
            throw Error(errno_message("cannot enable the memory controller below " + dir, error));
        }
    }
    ControllerGrant grant = enable ? ControllerGrant(fs, dir) : ControllerGrant();
    ConfiguredGroup made{std::move(grant), OwnedCgroup::create(fs, parent, owner), 0, false, {}};
    const OwnedCgroup& group = made.group;
    if (int error = fs->write(group.file("memory.max"), std::to_string(bytes) + "\n"); error != 0) {
        throw Error(errno_message("cannot set memory.max of " + group.dir().directory, error));
    }
    made.limit_bytes =
        parse_control_number(fs->read(group.file("memory.max")).value_or("")).value_or(bytes);

    const std::string swap_max = group.file("memory.swap.max");
    if (!fs->exists(swap_max)) {
        // No swap controller (CONFIG_MEMCG_SWAP off, or swapaccount=0): nothing can be swapped
        // through it, and nothing limits it either.
        made.notes.push_back(
            "the kernel has no memory.swap.max: the tree may swap beyond the limit");
    } else if (int error = fs->write(swap_max, "0\n"); error == 0) {
        made.swap_limited = true;
    } else {
        made.notes.push_back(errno_message("swap is not limited (memory.swap.max)", error));
    }
    if (int error = fs->write(group.file("memory.oom.group"), "1\n"); error != 0) {
        made.notes.push_back(errno_message(
            "memory.oom.group not set (an OOM kill takes one process, not the whole tree)", error));
    }
    return made;
}

}  // namespace blackbox::limit
