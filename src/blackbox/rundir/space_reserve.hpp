#pragma once

// Room kept on the run directory's file system for the run's last files. A disk that fills up
// while pytest runs would otherwise leave no room for end.json and postmortem.json, and the
// post-mortem of the run would be lost with them: the recorder reserves a little space when the
// run starts (the file `.reserve`) and frees it when pytest has ended, right before it writes
// them.

#include <cstdint>

#include <blackbox/base/directory.hpp>

namespace blackbox::rundir {

// What is reserved by default: far more than end.json, attempts.json and postmortem.json of a
// run need, little enough to matter nowhere.
inline constexpr std::uint64_t kReservedBytes = 256 * 1024;

class SpaceReserve {
  public:
    // Allocates `bytes` to the file `.reserve` in `directory` (which must outlive this). Nothing
    // is reserved when the disk is already too full. Never throws.
    SpaceReserve(const base::Directory& directory, std::uint64_t bytes = kReservedBytes) noexcept;
    ~SpaceReserve() { release(); }
    SpaceReserve(const SpaceReserve&) = delete;
    SpaceReserve& operator=(const SpaceReserve&) = delete;

    // Whether the room is held.
    bool held() const noexcept { return held_; }
    // Frees the room (deletes `.reserve`). Never throws.
    void release() noexcept;

  private:
    const base::Directory& directory_;
    bool held_ = false;
};

}  // namespace blackbox::rundir
