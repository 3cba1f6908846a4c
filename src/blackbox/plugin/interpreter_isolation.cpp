#include <fstream>
#include <regex>
#include <sstream>

#include <blackbox/plugin/interpreter_isolation.hpp>

namespace blackbox::plugin {

namespace {

bool is_python(const std::string& word) {
    static const std::regex name(R"((python|pypy)[0-9.]*)");
    return std::regex_match(std::filesystem::path(word).filename().string(), name);
}

// Interpreter options that take a value (in the same word or the next one).
bool takes_value(char option) {
    return option == 'W' || option == 'X';
}

// The words of a `#!` line after the interpreter's name, as `env -S` splits them (Linux passes
// whatever follows the interpreter as one argument: "-I" alone is the common case).
std::vector<std::string> shebang_words(const std::filesystem::path& program) {
    std::ifstream file(program, std::ios::binary);
    std::string line;
    if (!file || !std::getline(file, line) || !line.starts_with("#!")) {
        return {};
    }
    constexpr std::size_t kLongest = 256;  // the kernel reads no more of a #! line
    line = line.substr(2, kLongest);
    std::istringstream stream(line);
    std::vector<std::string> words;
    for (std::string word; stream >> word;) {
        words.push_back(word);
    }
    if (!words.empty() && std::filesystem::path(words[0]).filename() == "env") {
        words.erase(words.begin());
        if (!words.empty() && (words[0] == "-S" || words[0] == "--split-string")) {
            words.erase(words.begin());
        }
    }
    return words;
}

}  // namespace

std::optional<IsolatedInterpreter> isolated_interpreter(const std::vector<std::string>& argv) {
    if (argv.empty() || !is_python(argv[0])) {
        return std::nullopt;
    }
    for (std::size_t i = 1; i < argv.size(); ++i) {
        const std::string& word = argv[i];
        // A script, `-` (stdin) or a long option (--version, --help) ends the options.
        if (word.size() < 2 || word[0] != '-' || word[1] == '-') {
            return std::nullopt;
        }
        for (std::size_t at = 1; at < word.size(); ++at) {
            char option = word[at];
            if (option == 'I' || option == 'E') {
                IsolatedInterpreter found;
                found.probe_prefix.assign(argv.begin(),
                                          argv.begin() + static_cast<std::ptrdiff_t>(i));
                found.flag = std::string("-") + option;
                found.probe_prefix.push_back(found.flag);
                return found;
            }
            if (option == 'c' || option == 'm') {
                return std::nullopt;  // what follows is the command or the module
            }
            if (takes_value(option)) {
                if (at + 1 == word.size()) {
                    ++i;  // its value is the next word
                }
                break;
            }
        }
    }
    return std::nullopt;
}

std::optional<IsolatedInterpreter> isolated_command(const std::vector<std::string>& command,
                                                    const std::filesystem::path& program) {
    if (command.empty()) {
        return std::nullopt;
    }
    if (is_python(command[0])) {
        auto found = isolated_interpreter(command);
        if (found) {
            found->where = "the command";
        }
        return found;
    }
    auto words = shebang_words(program);
    auto found = isolated_interpreter(words);
    if (found) {
        found->where = "the #! line of " + program.string();
    }
    return found;
}

}  // namespace blackbox::plugin
