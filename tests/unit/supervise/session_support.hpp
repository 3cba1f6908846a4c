#pragma once

// Helpers for the supervision tests: a scratch directory, our stdio redirected to files while a
// session runs, and a child process of the test running on a pseudo-terminal of its own.

#include <filesystem>
#include <functional>
#include <signal.h>
#include <string>
#include <sys/types.h>
#include <vector>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/supervise/session.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::supervise::test_support {

// A fresh directory under $TMPDIR (or /tmp), removed with its content on destruction.
class TempDir : public blackbox::testing::ScratchDir {
  public:
    TempDir() : ScratchDir("supervise") {}
};

// The whole content of a file; "" when it cannot be read.
std::string slurp(const std::filesystem::path& path);

// While alive: our stdout and stderr go to files, our stdin comes from /dev/null (so no test
// ever touches the terminal the tests were started from).
class CapturedStdio {
  public:
    explicit CapturedStdio(const TempDir& dir);
    ~CapturedStdio();
    CapturedStdio(const CapturedStdio&) = delete;
    CapturedStdio& operator=(const CapturedStdio&) = delete;

    std::string out() const;
    std::string err() const;

  private:
    std::filesystem::path out_;
    std::filesystem::path err_;
    base::UniqueFd saved_[3];
};

// While alive: `signal` has its default action here (and so in the commands started). A signal
// ignored by whoever started the tests (SIGINT, for a command run in the background by a
// non-interactive shell) is ignored by the commands too, and a shell cannot trap it.
class DefaultDisposition {
  public:
    explicit DefaultDisposition(int signal);
    ~DefaultDisposition();
    DefaultDisposition(const DefaultDisposition&) = delete;
    DefaultDisposition& operator=(const DefaultDisposition&) = delete;

  private:
    int signal_;
    struct sigaction saved_ {};
};

// A session run with CapturedStdio around it only, so that test failures still show.
struct CapturedRun {
    SessionResult result;
    std::string out;  // what the command's relay wrote to our stdout
    std::string err;  // ... and to our stderr
};
CapturedRun run_captured(const TempDir& dir, const SessionOptions& options);

// {"/bin/sh", "-c", script}.
std::vector<std::string> shell(const std::string& script);

// Options for `script` run by /bin/sh with our environment, logging to dir/"output.log", no pty.
SessionOptions shell_session(const TempDir& dir, const std::string& script);

// True while a process with this pid exists (a zombie included).
bool process_exists(pid_t pid);

// The pid the command wrote to `path` (after `echo $! > path`), or -1.
pid_t read_pid(const std::filesystem::path& path);

// What a run on a pseudo-terminal showed.
struct TerminalRun {
    int exit_code = -1;  // of the body; -1 when it had to be killed (timeout)
    std::string screen;  // every byte that reached the terminal's master side
};

// Runs `body` in a forked child of the test that leads a new session whose controlling terminal
// (stdin, stdout, stderr) is a new pseudo-terminal of 33 rows x 111 columns. `drive` is called
// with the master each time new output arrived, with everything shown so far, until it returns
// true (it may write keys or resize the terminal). The body's return value is its exit code.
// Gives up (SIGKILL) after 10 s.
TerminalRun run_on_terminal(
    const std::function<int()>& body,
    const std::function<bool(int master, const std::string& screen)>& drive = nullptr);

}  // namespace blackbox::supervise::test_support
