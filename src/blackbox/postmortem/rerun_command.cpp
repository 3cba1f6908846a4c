#include <algorithm>
#include <cctype>
#include <filesystem>

#include <blackbox/postmortem/rerun_command.hpp>

namespace blackbox::postmortem {

namespace {

bool is_pytest_entry(const std::string& word) {
    auto name = std::filesystem::path(word).filename().string();
    return name == "pytest" || name == "py.test";
}

}  // namespace

std::vector<std::string> pytest_prefix(const std::vector<std::string>& command) {
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (command[i] == "-m" && i + 1 < command.size() && command[i + 1] == "pytest") {
            return {command.begin(), command.begin() + static_cast<std::ptrdiff_t>(i + 2)};
        }
        if (is_pytest_entry(command[i])) {
            return {command.begin(), command.begin() + static_cast<std::ptrdiff_t>(i + 1)};
        }
    }
    return {"python3", "-m", "pytest"};
}

std::string shell_quote(const std::string& word) {
    bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
    });
    if (safe) {
        return word;
    }
    std::string quoted = "'";
    for (char c : word) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    return quoted + "'";
}

std::string rerun_command(const RunModel& run, const std::string& target) {
    std::string command;
    if (!run.rootdir.empty() && !run.cwd.empty() && run.rootdir != run.cwd) {
        command = "cd " + shell_quote(run.rootdir) + " && ";
    }
    command += "blackbox run --";
    for (const auto& word : pytest_prefix(run.command)) {
        command += " " + shell_quote(word);
    }
    return command + " " + shell_quote(target);
}

}  // namespace blackbox::postmortem
