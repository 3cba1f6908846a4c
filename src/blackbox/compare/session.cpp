#include "session.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace blackbox::compare {

namespace {

nlohmann::json parsed(const std::string& settings) {
    auto json = nlohmann::json::parse(settings, nullptr, false);
    return json.is_object() ? json : nlohmann::json::object();
}

}  // namespace

std::string started_for_people(const Session& session) {
    // "2026-11-22T08:55:54.488123" -> "2026-11-22 08:55:54": enough to tell runs apart.
    auto text = session.started.substr(0, 19);
    if (text.size() > 10 && text[10] == 'T') {
        text[10] = ' ';
    }
    return text;
}

std::size_t settings_workers(const std::string& settings) {
    auto json = parsed(settings);
    auto workers = json.find("workers");
    return workers != json.end() && workers->is_number_unsigned() ? workers->get<std::size_t>() : 0;
}

std::string settings_for_people(const std::string& settings) {
    auto json = parsed(settings);
    auto workers = settings_workers(settings);
    std::string text = workers == 0   ? "serial"
                       : workers == 1 ? "1 xdist worker"
                                      : fmt::format("{} xdist workers", workers);
    if (json.value("fsync", false) == true) {
        text += ", fsync";
    }
    if (auto shard = json.find("shard"); shard != json.end() && shard->is_string()) {
        text += ", shard " + shard->get<std::string>();
    }
    if (auto client = json.find("client"); client != json.end() && client->is_string()) {
        text += ", measured by " + client->get<std::string>();
    }
    return text;
}

std::string settings_of_workers(std::size_t workers) {
    return fmt::format(R"({{"workers":{}}})", workers);
}

}  // namespace blackbox::compare
