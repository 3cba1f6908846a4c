#include <fcntl.h>
#include <unistd.h>

#include <blackbox/rundir/run_files.hpp>
#include <blackbox/rundir/space_reserve.hpp>

namespace blackbox::rundir {

namespace {}  // namespace

SpaceReserve::SpaceReserve(const base::Directory& directory, std::uint64_t bytes) noexcept
    : directory_(directory) {
    base::UniqueFd fd = directory_.create_file(kReserveFile);
    if (!fd) {
        return;
    }
    held_ = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(bytes)) == 0;
    if (!held_) {
        ::unlinkat(directory_.fd(), kReserveFile, 0);
    }
}

void SpaceReserve::release() noexcept {
    if (held_) {
        ::unlinkat(directory_.fd(), kReserveFile, 0);
        held_ = false;
    }
}

}  // namespace blackbox::rundir
