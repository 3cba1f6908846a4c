#include <fcntl.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/live/supervisor_log.hpp>

namespace blackbox::live {

SupervisorLog::SupervisorLog(const std::filesystem::path& path)
    : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {}

void SupervisorLog::write(const std::string& ev, nlohmann::json record) {
    if (!fd_) {
        return;
    }
    nlohmann::json line = {{"ev", ev}, {"ns", base::monotonic_ns()}};
    line.update(record);
    auto text = base::json_text(line) + "\n";
    base::write_all(fd_.get(), text.data(), text.size());
}

}  // namespace blackbox::live
