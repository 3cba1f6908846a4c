#include <fmt/format.h>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/live/captured_output.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::live {

namespace {

// The bounds of what is read: a dying test's output, its end; the log trail, its end.
constexpr std::size_t kMaxCaptureBytes = 1024 * 1024;
constexpr std::size_t kMaxLogTrailBytes = 4 * 1024 * 1024;

// The end of the file's text, or nullopt with a warning when it exists but cannot be read.
std::optional<std::string> read_tail(const std::filesystem::path& path, std::size_t max_bytes,
                                     std::vector<std::string>& warnings) {
    auto read = base::read_regular_file(path, max_bytes, true);
    if (!read.text && !read.missing) {
        warnings.push_back(fmt::format("{}: not read: {}", path.filename().string(), read.error));
    }
    return std::move(read.text);
}

// The records the plugin's log trail holds for `nodeid`: those after the last separator line,
// when it names that test ("\x1e<nodeid>").
std::optional<std::string> log_records_of(const std::filesystem::path& path,
                                          const std::string& nodeid,
                                          std::vector<std::string>& warnings) {
    auto text = read_tail(path, kMaxLogTrailBytes, warnings);
    if (!text) {
        return std::nullopt;
    }
    auto separator = text->rfind('\x1e');
    if (separator == std::string::npos) {
        return std::nullopt;
    }
    auto end_of_line = text->find('\n', separator);
    if (end_of_line == std::string::npos ||
        text->compare(separator + 1, end_of_line - separator - 1, nodeid) != 0) {
        return std::nullopt;
    }
    return text->substr(end_of_line + 1);
}

}  // namespace

CapturedOutput read_captured_output(const std::filesystem::path& run_dir, const std::string& stem,
                                    const std::optional<std::string>& nodeid,
                                    std::vector<std::string>& warnings) {
    const auto folder = run_dir / rundir::kCaptureFolder;
    CapturedOutput captured;
    captured.out = read_tail(folder / (stem + ".stdout"), kMaxCaptureBytes, warnings);
    captured.err = read_tail(folder / (stem + ".stderr"), kMaxCaptureBytes, warnings);
    if (nodeid) {
        captured.log = log_records_of(folder / (stem + ".log"), *nodeid, warnings);
    }
    return captured;
}

}  // namespace blackbox::live
