#include <blackbox/base/error.hpp>
#include <blackbox/limit/tree_group.hpp>

namespace blackbox::limit {

TreeGroup create_tree_group(std::shared_ptr<const CgroupFs> fs, const CgroupPlaces& places,
                            pid_t owner) {
    TreeGroup made;
    for (const auto& place : {places.v2, places.v1_memory}) {
        if (!place) {
            continue;
        }
        try {
            made.group.emplace(OwnedCgroup::create(fs, *place, owner));
            return made;
        } catch (const Error& error) {
            made.reasons.push_back("cgroup v" + std::to_string(place->version) + ": " +
                                   error.what());
        }
    }
    if (!places.v2 && !places.v1_memory) {
        made.reasons.push_back("no cgroup hierarchy of ours is mounted");
    }
    return made;
}

supervise::PreExecWrite join_tree_group(const OwnedCgroup& group) {
    return {group.fs().resolve(group.file("cgroup.procs")), "0\n", false};
}

}  // namespace blackbox::limit
