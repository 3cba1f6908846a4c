#include <fcntl.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/directory.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/live/supervisor_log.hpp>

namespace blackbox::live {

SupervisorLog::SupervisorLog(const std::filesystem::path& path)
    : fd_(base::open_for_append(AT_FDCWD, path.c_str())) {}

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
