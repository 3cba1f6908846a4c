#include "history_json.hpp"

namespace blackbox::compare {

namespace {

template <typename Number>
nlohmann::ordered_json number_or_null(const std::optional<Number>& value) {
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

nlohmann::ordered_json history_json(const TestHistory& history) {
    auto sessions = nlohmann::ordered_json::array();
    for (const auto& point : history.points) {
        const auto& test = point.test;
        sessions.push_back({{"run_id", point.session.run_id},
                            {"session_h", point.session.session_h},
                            {"env_h", point.session.env_h},
                            {"started", point.session.started},
                            {"outcome", test.outcome},
                            {"wall_s", number_or_null(test.wall_s)},
                            {"cpu_s", number_or_null(test.cpu_s)},
                            {"peak_rss_bytes", number_or_null(test.peak_rss_bytes)},
                            {"added_bytes", number_or_null(test.added_bytes())},
                            {"retained_bytes", number_or_null(test.retained_bytes)}});
    }
    return {{"format", 1},
            {"nodeid", history.nodeid},
            {"recorded", history.recorded},
            {"sessions", sessions}};
}

}  // namespace blackbox::compare
