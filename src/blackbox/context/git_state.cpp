#include <initializer_list>
#include <vector>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/context/git_state.hpp>

namespace blackbox::context {

namespace {

std::vector<std::string> git_command(const std::optional<std::string>& directory,
                                     std::initializer_list<const char*> arguments) {
    std::vector<std::string> argv{"git"};
    if (directory) {
        argv.insert(argv.end(), {"-C", *directory});
    }
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return argv;
}

// A one-line answer without its newline; an empty answer counts as none.
std::optional<std::string> first_line(const std::optional<std::string>& output) {
    if (!output) {
        return std::nullopt;
    }
    std::string_view line = base::trim(std::string_view(*output).substr(0, output->find('\n')));
    if (line.empty()) {
        return std::nullopt;
    }
    return std::string(line);
}

}  // namespace

std::optional<GitState> probe_git(const Sources& sources,
                                  const std::optional<std::string>& directory) {
    GitState state;
    state.commit = first_line(
        sources.run(git_command(directory, {"rev-parse", "--verify", "--quiet", "HEAD"})));
    // Fails when HEAD is detached, which the null branch then says.
    state.branch = first_line(
        sources.run(git_command(directory, {"symbolic-ref", "--quiet", "--short", "HEAD"})));
    if (!state.commit && !state.branch) {
        return std::nullopt;  // not a repository, or no git: HEAD always has one or the other
    }
    // Untracked files do not count, as for `git describe --dirty`; listing them is also what
    // makes status slow in big trees.
    std::optional<std::string> status = sources.run(git_command(
        directory, {"--no-optional-locks", "status", "--porcelain", "--untracked-files=no"}));
    if (status) {
        state.dirty = !base::trim(*status).empty();
    }
    return state;
}

}  // namespace blackbox::context
