#pragma once

// Makes this process the "child subreaper" of its descendants (Linux PR_SET_CHILD_SUBREAPER):
// a process orphaned below us is reparented to us instead of to init, so we can reap it (no
// zombies left behind in a container without an init) and see it die.

namespace blackbox::supervise {

class ChildSubreaper {
  public:
    // Turns the attribute on. Failure (not Linux, an old kernel, a seccomp filter) is not an
    // error: supervision degrades to reaping only our direct children; active() tells.
    ChildSubreaper() noexcept;
    // Puts back the previous setting. Orphans already reparented to us stay our children.
    ~ChildSubreaper();
    ChildSubreaper(const ChildSubreaper&) = delete;
    ChildSubreaper& operator=(const ChildSubreaper&) = delete;

    bool active() const noexcept { return active_; }

  private:
    bool active_ = false;
    bool was_active_ = false;
};

}  // namespace blackbox::supervise
