#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/journal/lost_file.hpp>

namespace blackbox::journal {

namespace {

constexpr std::size_t kMaxLostFileBytes = 64 * 1024;  // one line, in the room reserved for it

}  // namespace

std::optional<JournalLoss> read_unrecovered_loss(const ProcessFiles& files,
                                                 std::vector<std::string>& warnings) {
    auto read = base::read_regular_file(files.lost, kMaxLostFileBytes, false);
    if (!read.text) {
        if (!read.missing) {
            warnings.push_back(
                fmt::format("{}: not read: {}", files.lost.filename().string(), read.error));
        }
        return std::nullopt;
    }
    const std::string& text = *read.text;
    auto line = std::string_view(text).substr(0, text.find_first_of(std::string_view("\n\0", 2)));
    auto doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return std::nullopt;  // never written (the reserved room is zeros)
    }
    auto recovered = doc.find("recovered");
    if (recovered != doc.end() && recovered->is_boolean() && recovered->get<bool>()) {
        return std::nullopt;
    }
    JournalLoss loss;
    if (auto since = doc.find("since_ns"); since != doc.end() && since->is_number_integer()) {
        loss.since_ns = since->get<std::int64_t>();
    }
    if (auto records = doc.find("records"); records != doc.end() && records->is_number_integer()) {
        loss.records = records->get<std::int64_t>();
    }
    auto reason = doc.find("reason");
    loss.reason =
        reason != doc.end() && reason->is_string() ? reason->get<std::string>() : "unknown";
    auto ended = doc.find("ended");
    loss.ended = ended != doc.end() && ended->is_boolean() && ended->get<bool>();
    return loss;
}

}  // namespace blackbox::journal
