#include <algorithm>
#include <cctype>
#include <filesystem>

#include <fmt/format.h>

#include <blackbox/base/terminal_text.hpp>
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
    // Bytes a terminal would act on, or that are not UTF-8, cannot be shown inside '…': the
    // word is written in $'…' instead, every such byte as \xNN, so that the printed command
    // is plain text and a shell given it passes the exact bytes.
    if (base::terminal_text(word) != word) {
        std::string quoted = "$'";
        for (char c : word) {
            auto byte = static_cast<unsigned char>(c);
            if (c == '\'' || c == '\\') {
                quoted += '\\';
                quoted += c;
            } else if (byte >= 0x20 && byte < 0x7F) {
                quoted += c;
            } else {
                quoted += fmt::format("\\x{:02x}", byte);
            }
        }
        return quoted + "'";
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
