#include <fcntl.h>
#include <unistd.h>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/live/journal_tail.hpp>

namespace blackbox::live {

std::size_t JournalTail::poll(const std::function<void(std::string_view line)>& on_line,
                              std::size_t max_line) {
    // A journal is a file of an untrusted run directory: never a link, never a FIFO waited on.
    base::UniqueFd fd = base::open_regular_file(path_).fd;
    if (!fd) {
        return 0;
    }
    std::size_t total = 0;
    char buffer[65536];
    for (;;) {
        ssize_t n = ::pread(fd.get(), buffer, sizeof buffer, static_cast<off_t>(offset_));
        if (n <= 0) {
            return total;
        }
        auto size = static_cast<std::size_t>(n);
        offset_ += size;
        total += size;
        std::string_view chunk(buffer, size);
        while (!chunk.empty()) {
            auto newline = chunk.find('\n');
            auto piece = chunk.substr(0, newline);
            if (!dropping_) {
                if (partial_.size() + piece.size() > max_line) {
                    dropping_ = true;
                    partial_.clear();
                } else {
                    partial_.append(piece);
                }
            }
            if (newline == std::string_view::npos) {
                break;
            }
            if (!dropping_) {
                on_line(partial_);
            }
            partial_.clear();
            dropping_ = false;
            chunk.remove_prefix(newline + 1);
        }
    }
}

}  // namespace blackbox::live
