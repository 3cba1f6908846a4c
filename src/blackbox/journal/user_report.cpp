#include <blackbox/base/base64.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/journal/user_report.hpp>

namespace blackbox::journal {

namespace {

std::optional<std::int64_t> integer(const nlohmann::json& object, const char* key) {
    auto found = object.find(key);
    if (found == object.end() || !found->is_number_integer()) {
        return std::nullopt;
    }
    return found->get<std::int64_t>();
}

std::optional<std::string> text(const nlohmann::json& object, const char* key) {
    auto found = object.find(key);
    if (found == object.end() || !found->is_string()) {
        return std::nullopt;
    }
    return found->get<std::string>();
}

}  // namespace

std::vector<UserReport> user_reports_of(const nlohmann::json& reports) {
    std::vector<UserReport> found;
    if (!reports.is_array()) {
        return found;
    }
    for (const auto& entry : reports) {
        if (!entry.is_object()) {
            continue;
        }
        auto kind = text(entry, "kind");
        auto path = text(entry, "path");
        if (auto exact = text(entry, "path_bytes")) {
            try {
                path = base::unbase64(*exact);
            } catch (const Error&) {
                // Not base64: the text form is all there is.
            }
        }
        if (!kind || !path || path->empty()) {
            continue;
        }
        UserReport report;
        report.kind = *kind;
        report.path = *path;
        if (auto before = entry.find("before"); before != entry.end() && before->is_object()) {
            auto size = integer(*before, "size");
            auto mtime = integer(*before, "mtime_ns");
            auto ino = integer(*before, "ino");
            if (size && mtime && ino) {
                report.before = FileState{*size, *mtime, *ino};
            }
        }
        found.push_back(std::move(report));
    }
    return found;
}

}  // namespace blackbox::journal
