#include <vector>

#include <blackbox/repair/node_id.hpp>

namespace blackbox::repair {

namespace {

// "tests/test_x.py" -> "tests.test_x": separators become dots and a ".py" suffix goes, as in
// pytest's junitxml mangle_test_address().
std::string dotted_module(std::string_view file) {
    std::string module(file);
    if (module.size() >= 3 && module.compare(module.size() - 3, 3, ".py") == 0) {
        module.resize(module.size() - 3);
    }
    for (auto& c : module) {
        if (c == '/' || c == '\\') {
            c = '.';
        }
    }
    return module;
}

std::vector<std::string_view> split_on_colons(std::string_view text) {
    std::vector<std::string_view> parts;
    for (;;) {
        auto at = text.find("::");
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return parts;
        }
        text = text.substr(at + 2);
    }
}

}  // namespace

NodeIdParts split_node_id(std::string_view nodeid) {
    NodeIdParts parts;
    // Parameters may hold "::" themselves; pytest splits the part before the first "[".
    auto bracket = nodeid.find('[');
    auto path = nodeid.substr(0, bracket);
    auto suffix = bracket == std::string_view::npos ? std::string_view{} : nodeid.substr(bracket);
    auto names = split_on_colons(path);

    parts.file = std::string(names.front());
    auto slash = parts.file.find_last_of('/');
    parts.file_name = slash == std::string::npos ? parts.file : parts.file.substr(slash + 1);
    parts.module = dotted_module(names.front());
    if (names.size() == 1) {
        parts.junit_name = parts.module + std::string(suffix);
        parts.name = parts.junit_name;
        parts.function = parts.module;
        return parts;
    }
    parts.junit_classname = parts.module;
    for (std::size_t i = 1; i + 1 < names.size(); ++i) {
        parts.junit_classname += "." + std::string(names[i]);
    }
    if (names.size() > 2) {
        parts.test_class = std::string(names[1]);
    }
    parts.function = std::string(names.back());
    parts.junit_name = parts.function + std::string(suffix);
    parts.name = parts.junit_name;
    if (suffix.size() >= 2 && suffix.back() == ']') {
        parts.params = std::string(suffix.substr(1, suffix.size() - 2));
    }
    return parts;
}

}  // namespace blackbox::repair
