#include <limits>

#include <blackbox/context/execution_context.hpp>
#include <blackbox/context/recorded_sources.hpp>

namespace blackbox::context {

namespace {

using nlohmann::json;

std::optional<std::string> string_in(const json& object, const std::string& key) {
    if (!object.is_object()) {
        return std::nullopt;
    }
    auto found = object.find(key);
    return found != object.end() && found->is_string()
               ? std::optional<std::string>(found->get<std::string>())
               : std::nullopt;
}

const json& member(const json& facts, const char* key) {
    static const json none;
    auto found = facts.find(key);
    return found != facts.end() ? *found : none;
}

}  // namespace

RecordedSources::RecordedSources(json facts)
    : facts_(facts.is_object() ? std::move(facts) : json::object()) {}

std::optional<std::string> RecordedSources::read_file(const std::string& path) const {
    return string_in(member(facts_, "files"), path);
}

std::optional<std::string> RecordedSources::getenv(const std::string& name) const {
    return string_in(member(facts_, "environ"), name);
}

std::optional<std::string> RecordedSources::run(const std::vector<std::string>& argv) const {
    const json& commands = member(facts_, "commands");
    if (!commands.is_array()) {
        return std::nullopt;
    }
    for (const json& command : commands) {
        if (!command.is_object()) {
            continue;
        }
        const json& recorded = member(command, "argv");
        if (!recorded.is_array() || recorded.size() != argv.size()) {
            continue;
        }
        bool same = true;
        for (std::size_t i = 0; same && i < argv.size(); ++i) {
            same = recorded[i].is_string() && recorded[i].get_ref<const std::string&>() == argv[i];
        }
        if (same) {
            return string_in(command, "stdout");
        }
    }
    return std::nullopt;
}

std::optional<Uname> RecordedSources::uname() const {
    const json& uts = member(facts_, "uname");
    if (!uts.is_object()) {
        return std::nullopt;
    }
    auto field = [&uts](const char* key) { return string_in(uts, key).value_or(""); };
    return Uname{field("sysname"), field("nodename"), field("release"), field("version"),
                 field("machine")};
}

std::optional<std::string> RecordedSources::hostname() const {
    std::optional<std::string> name = string_in(facts_, "hostname");
    return name && !name->empty() ? name : std::nullopt;
}

std::optional<int> RecordedSources::online_cpus() const {
    const json& count = member(facts_, "online_cpus");
    if (!count.is_number_integer()) {
        return std::nullopt;
    }
    auto value = count.get<std::int64_t>();
    if (value <= 0 || value > std::numeric_limits<int>::max()) {
        return std::nullopt;
    }
    return static_cast<int>(value);
}

std::optional<std::string> RecordedSources::cwd() const {
    return string_in(facts_, "cwd");
}

json context_from_facts(const json& facts) {
    return gather_execution_context(RecordedSources(facts));
}

}  // namespace blackbox::context
