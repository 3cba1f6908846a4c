#pragma once

// The side effects the execution context needs, behind one seam: gathering logic runs on recorded
// inputs in unit tests (a fake Sources) and on the real machine through system_sources().
//
// Every read may fail (a /proc file hidden on Android, an unset variable, no git, not a
// repository): failures are nullopt, never exceptions.

#include <optional>
#include <string>
#include <vector>

namespace blackbox::context {

// The fields of uname(2) the context records.
struct Uname {
    std::string sysname;   // "Linux"
    std::string nodename;  // the network node name, the fallback for the hostname
    std::string release;   // "6.1.0-18-amd64"
    std::string version;   // "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)"
    std::string machine;   // "x86_64", "aarch64"
};

// Read-only access to the machine. Implementations must be safe to call from any thread.
class Sources {
  public:
    virtual ~Sources() = default;

    // The whole content of the file at `path`, or nullopt when it cannot be read.
    virtual std::optional<std::string> read_file(const std::string& path) const = 0;

    // The value of the environment variable `name` (possibly empty), or nullopt when unset.
    virtual std::optional<std::string> getenv(const std::string& name) const = 0;

    // The standard output of the command `argv` (argv[0] looked up in PATH, no shell) when it
    // exits with status 0 in bounded time; nullopt when it cannot start, fails or runs too long.
    virtual std::optional<std::string> run(const std::vector<std::string>& argv) const = 0;

    // uname(2), or nullopt when it fails.
    virtual std::optional<Uname> uname() const = 0;

    // gethostname(2), or nullopt when it fails.
    virtual std::optional<std::string> hostname() const = 0;

    // The number of CPUs online, as sysconf(_SC_NPROCESSORS_ONLN) says, or nullopt when unknown.
    virtual std::optional<int> online_cpus() const = 0;

    // The absolute path of the working directory, or nullopt (e.g. it was deleted).
    virtual std::optional<std::string> cwd() const = 0;
};

// The real machine: files, the process environment (std::getenv: safe while nobody calls
// setenv), uname(2), gethostname(2), sysconf(3), getcwd(3), and commands run by command_output()
// with a 2 s deadline and 64 KiB of output kept. A process-lifetime object.
const Sources& system_sources();

}  // namespace blackbox::context
