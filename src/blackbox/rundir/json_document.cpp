#include <cerrno>

#include <fmt/format.h>

#include <blackbox/base/json_text.hpp>
#include <blackbox/base/regular_file.hpp>
#include <blackbox/rundir/json_document.hpp>

namespace blackbox::rundir {

nlohmann::json read_json_document(const std::filesystem::path& path,
                                  std::vector<std::string>& warnings) {
    auto read = base::read_regular_file(path, kMaxJsonDocumentBytes, false);
    if (!read.text) {
        if (!read.missing) {
            warnings.push_back(
                fmt::format("{}: not read: {}", path.filename().string(), read.error));
        }
        return nullptr;
    }
    auto parsed = nlohmann::json::parse(*read.text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        warnings.push_back(fmt::format("{}: not a JSON object, ignored", path.filename().string()));
        return nullptr;
    }
    return parsed;
}

int write_json_document(const base::Directory& run_dir, const char* name,
                        const nlohmann::json& doc) noexcept {
    try {
        return run_dir.replace_file(name, base::json_text(doc, 2) + "\n");
    } catch (const std::exception&) {
        return ENOMEM;  // the text could not be made
    }
}

}  // namespace blackbox::rundir
