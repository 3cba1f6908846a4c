#include <blackbox/limit/cgroup_places.hpp>
#include <blackbox/sample/cgroup_location.hpp>

namespace blackbox::limit {

namespace {

std::optional<CgroupDir> dir_of(std::optional<sample::CgroupLocation> location) {
    if (!location) {
        return std::nullopt;
    }
    return CgroupDir{location->version, std::move(location->directory)};
}

}  // namespace

std::optional<CgroupDir> memory_cgroup(const CgroupPlaces& places) {
    return places.v1_memory ? places.v1_memory : places.v2;
}

CgroupPlaces find_cgroups(const CgroupFs& fs) {
    auto proc_cgroup = fs.read("/proc/self/cgroup");
    auto mountinfo = fs.read("/proc/self/mountinfo");
    if (!proc_cgroup || !mountinfo) {
        return {};
    }
    sample::CgroupLocations found = sample::locate_cgroups(*proc_cgroup, *mountinfo);
    return CgroupPlaces{dir_of(std::move(found.v1_memory)), dir_of(std::move(found.v2))};
}

}  // namespace blackbox::limit
