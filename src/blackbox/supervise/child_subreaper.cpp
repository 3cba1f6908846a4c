#include <blackbox/supervise/child_subreaper.hpp>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace blackbox::supervise {

ChildSubreaper::ChildSubreaper() noexcept {
#if defined(PR_SET_CHILD_SUBREAPER)
    int previous = 0;
    if (::prctl(PR_GET_CHILD_SUBREAPER, &previous, 0, 0, 0) == 0) {
        was_active_ = previous != 0;
    }
    active_ = ::prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) == 0;
#endif
}

ChildSubreaper::~ChildSubreaper() {
#if defined(PR_SET_CHILD_SUBREAPER)
    if (active_ && !was_active_) {
        ::prctl(PR_SET_CHILD_SUBREAPER, 0UL, 0UL, 0UL, 0UL);
    }
#endif
}

}  // namespace blackbox::supervise
