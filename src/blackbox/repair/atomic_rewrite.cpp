#include <system_error>

#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/repair/atomic_rewrite.hpp>

namespace blackbox::repair {

namespace fs = std::filesystem;

std::optional<std::string> read_report(const fs::path& path) {
    std::error_code error;
    auto status = fs::status(path, error);
    if (status.type() == fs::file_type::not_found) {
        return std::nullopt;
    }
    if (error) {
        throw Error("cannot examine " + path.string() + ": " + error.message());
    }
    if (status.type() != fs::file_type::regular) {
        throw Error(path.string() + " is not a regular file");
    }
    auto content = base::read_file(path);
    if (!content) {
        throw Error("cannot read " + path.string());
    }
    return content;
}

void rewrite_report(const fs::path& path, std::string_view content) {
    auto parent = path.parent_path();
    if (!parent.empty()) {
        std::error_code error;
        fs::create_directories(parent, error);
        if (error) {
            throw Error("cannot create the directory " + parent.string() + ": " + error.message());
        }
    }
    base::write_file_atomically(path, content);
}

}  // namespace blackbox::repair
