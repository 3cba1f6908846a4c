#pragma once

// /proc/<pid>/task/<tid>/children: the pids of the processes that thread forked and that still
// have it as parent, space-separated ("123 456 "). Present when the kernel has
// CONFIG_PROC_CHILDREN (Debian and Fedora do; many Android kernels do not).

#include <string_view>
#include <sys/types.h>
#include <vector>

namespace blackbox::sample {

// Appends the pids in `text` to `pids`; malformed words are skipped. Never fails.
void parse_children(std::string_view text, std::vector<pid_t>& pids);

}  // namespace blackbox::sample
