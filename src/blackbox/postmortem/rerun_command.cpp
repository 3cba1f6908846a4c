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

enum class Value { none, required, optional };

struct KeptOption {
    std::string_view name;
    Value value;
    bool seed = false;  // replaced by the attempt's seed when the journal recorded one
};

// The options a re-run keeps, and whether each takes a value (as their parsers declare them).
constexpr KeptOption kKept[] = {
    {"-p", Value::required},
    {"--forked", Value::none},
    {"--random-order", Value::none},
    {"--random-order-bucket", Value::required},
    {"--random-order-seed", Value::required, true},
    {"--randomly-seed", Value::required, true},
    {"--randomly-dont-reorganize", Value::none},
    {"--cov", Value::optional},
    {"--cov-branch", Value::none},
    {"--cov-config", Value::required},
    {"--cov-context", Value::required},
    {"--no-cov", Value::none},
    {"--timeout", Value::required},
    {"--timeout-method", Value::required},
    {"--timeout_method", Value::required},
    {"-o", Value::required},
    {"--override-ini", Value::required},
    {"-c", Value::required},
    {"--rootdir", Value::required},
    {"--import-mode", Value::required},
    {"-W", Value::required},
    {"--pythonwarnings", Value::required},
    {"-s", Value::none},
    {"--capture", Value::required},
    {"--runxfail", Value::none},
    {"--hypothesis-seed", Value::required, true},
    {"--asyncio-mode", Value::required},
    {"--basetemp", Value::required},
    {"--noconftest", Value::none},
    {"--confcutdir", Value::required},
};

// Options a re-run leaves out whose value is a separate word, so that the value is not taken
// for a target or kept (selection, reports, distribution).
constexpr std::string_view kDroppedWithValue[] = {
    "-k",
    "-m",
    "--deselect",
    "--maxfail",
    "--junitxml",
    "--junit-xml",
    "--junit-prefix",
    "--html",
    "--css",
    "--json-report-file",
    "--csv",
    "--report-log",
    "--cov-report",
    "--cov-fail-under",
    "-n",
    "--numprocesses",
    "--dist",
    "--tx",
    "--maxprocesses",
    "--max-worker-restart",
    "--reruns",
    "--reruns-delay",
    "--only-rerun",
    "--count",
    "--benchmark-storage",
    "--benchmark-save",
    "--durations",
    "--durations-min",
    "--tb",
    "--log-file",
    "--log-level",
    "--log-file-level",
    "--rsyncdir",
    "--ignore",
    "--ignore-glob",
    "--blackbox-dir",
    "--blackbox-summary",
    "--blackbox-hungry-from",
    "--blackbox-shard",
    "--blackbox-plan",
    "--lfnf",
    "--last-failed-no-failures",
    "--pastebin",
    "-r",
};

}  // namespace

std::vector<std::string> rerun_options(const std::vector<std::string>& pytest_words,
                                       bool drop_seeds) {
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < pytest_words.size(); ++i) {
        const std::string& word = pytest_words[i];
        if (word == "--") {
            break;  // only targets follow
        }
        if (!word.starts_with('-') || word == "-") {
            continue;  // a target
        }
        const bool has_next = i + 1 < pytest_words.size();
        const auto equals = word.find('=');
        const std::string_view name = word.starts_with("--") && equals != std::string::npos
                                          ? std::string_view(word).substr(0, equals)
                                          : std::string_view(word);
        const bool long_option = word.starts_with("--");
        const KeptOption* match = nullptr;
        bool glued = false;  // "-pxdist": a short option with its value in the same word
        for (const auto& option : kKept) {
            if (option.name == name) {
                match = &option;
                break;
            }
            if (!long_option && option.name.size() == 2 && option.value == Value::required &&
                word.size() > 2 && word.starts_with(option.name)) {
                match = &option;
                glued = true;
                break;
            }
        }
        if (match == nullptr) {
            bool dropped_with_value =
                std::find(std::begin(kDroppedWithValue), std::end(kDroppedWithValue), name) !=
                std::end(kDroppedWithValue);
            if (dropped_with_value && equals == std::string::npos && has_next) {
                ++i;  // its value
            }
            continue;
        }
        const bool skip = match->seed && drop_seeds;
        if (!skip) {
            kept.push_back(word);
        }
        if (glued || (long_option && equals != std::string::npos)) {
            continue;
        }
        bool takes_next =
            match->value == Value::required ||
            (match->value == Value::optional && has_next && !pytest_words[i + 1].starts_with('-'));
        if (takes_next && has_next) {
            ++i;
            if (!skip) {
                kept.push_back(pytest_words[i]);
            }
        }
    }
    return kept;
}

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

std::string rerun_command(const RunModel& run, const std::string& target, int attempt,
                          int session) {
    std::string command;
    if (!run.rootdir.empty() && !run.cwd.empty() && run.rootdir != run.cwd) {
        command = "cd " + shell_quote(run.rootdir) + " && ";
    }
    command += "blackbox run --";
    auto prefix = pytest_prefix(run.command);
    for (const auto& word : prefix) {
        command += " " + shell_quote(word);
    }
    const std::vector<std::string>* seeds = nullptr;
    for (const auto& seeded : run.seed_options) {
        if (seeded.attempt == (attempt == 0 ? 1 : attempt) && seeded.session == session) {
            seeds = &seeded.words;
        }
    }
    const bool started_pytest = prefix.size() <= run.command.size() &&
                                std::equal(prefix.begin(), prefix.end(), run.command.begin());
    if (started_pytest) {
        std::vector<std::string> words(
            run.command.begin() + static_cast<std::ptrdiff_t>(prefix.size()), run.command.end());
        for (const auto& word : rerun_options(words, seeds != nullptr && !seeds->empty())) {
            command += " " + shell_quote(word);
        }
    }
    if (seeds != nullptr) {
        for (const auto& word : *seeds) {
            command += " " + shell_quote(word);
        }
    }
    return command + " " + shell_quote(target);
}

}  // namespace blackbox::postmortem
