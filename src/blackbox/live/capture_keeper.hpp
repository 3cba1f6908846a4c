#pragma once

// Keeps pytest's capture files alive. pytest captures into unlinked temporary files that die
// with the process; what the dying test printed is in them. Each recording pytest process hands
// its capture files' descriptors to the supervisor at session start, over a Unix datagram
// socket (the mailbox, SCM_RIGHTS): once its sendmsg() returned, the kernel holds the files for
// us, however soon the process dies — there is no race with its death. When the mailbox is not
// available (no such socket here, an older plugin), the files named in a process's
// `session_start` record are opened through /proc/<pid>/fd/<n> instead, which only works while
// the process lives. After a process died unfinished, the tail of each file is saved as
// capture/<stem>.stdout and .stderr in the run directory.

#include <filesystem>
#include <string>
#include <vector>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/live/run_watch.hpp>

namespace blackbox::live {

class CaptureKeeper {
  public:
    // Binds the mailbox (an abstract socket name, unique to this keeper); without one, only
    // /proc is tried.
    explicit CaptureKeeper(std::filesystem::path run_dir);

    // The mailbox's address for the plugin (BLACKBOX_CAPTURE_SOCKET): "@" and the abstract
    // name; "" when there is no mailbox.
    const std::string& address() const noexcept { return address_; }

    // Takes the files handed over since the last call, and opens through /proc the capture
    // files of processes seen for the first time that handed nothing over.
    void follow(const RunWatch& watch);

    // Saves the capture of every process that did not finish (its journal has no end), then
    // lets go of all of them. Keeps the last `max_bytes` of each stream.
    void save_unfinished(const RunWatch& watch, std::size_t max_bytes = 1 << 20);

  private:
    struct Kept {
        std::string stem;
        long pid;
        base::UniqueFd stdout_fd, stderr_fd;
    };
    void receive();
    Kept* find(const std::string& stem);

    std::filesystem::path run_dir_;
    base::UniqueFd mailbox_;
    std::string address_;
    std::vector<Kept> kept_;
};

}  // namespace blackbox::live
