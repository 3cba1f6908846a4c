#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/journal/line_reader.hpp>

namespace blackbox::journal {

namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;

// Accumulates chunks into lines; a line that grows past the bound is counted, not stored.
class LineAssembler {
  public:
    LineAssembler(std::size_t max_line, const LineHandler& on_line,
                  const OversizedHandler& on_oversized)
        : max_line_(max_line), on_line_(on_line), on_oversized_(on_oversized) {}

    void feed(std::string_view chunk) {
        while (!chunk.empty()) {
            auto newline = chunk.find('\n');
            auto piece = chunk.substr(0, newline);
            append(piece);
            if (newline == std::string_view::npos) {
                return;
            }
            finish_line();
            chunk.remove_prefix(newline + 1);
        }
    }

    LineStats finish() {
        stats_.torn_bytes = partial_size_;
        return stats_;
    }

  private:
    void append(std::string_view piece) {
        partial_size_ += piece.size();
        if (partial_size_ > max_line_) {
            partial_.clear();
            partial_.shrink_to_fit();
        } else {
            partial_.append(piece);
        }
    }

    void finish_line() {
        ++stats_.lines;
        if (partial_size_ > max_line_) {
            on_oversized_(stats_.lines, partial_size_);
        } else {
            on_line_(partial_, stats_.lines);
        }
        partial_.clear();
        partial_size_ = 0;
    }

    std::size_t max_line_;
    const LineHandler& on_line_;
    const OversizedHandler& on_oversized_;
    std::string partial_;
    std::size_t partial_size_ = 0;
    LineStats stats_;
};

}  // namespace

LineStats split_lines(std::string_view content, std::size_t max_line, const LineHandler& on_line,
                      const OversizedHandler& on_oversized) {
    LineAssembler assembler(max_line, on_line, on_oversized);
    assembler.feed(content);
    return assembler.finish();
}

LineStats read_lines(const std::filesystem::path& path, std::size_t max_line,
                     const LineHandler& on_line, const OversizedHandler& on_oversized) {
    base::OpenedFile opened = base::open_regular_file(path);
    if (!opened.fd) {
        LineStats stats;
        stats.readable = false;
        stats.missing = opened.missing;
        stats.error = std::move(opened.error);
        return stats;
    }
    base::UniqueFd fd = std::move(opened.fd);
    LineAssembler assembler(max_line, on_line, on_oversized);
    std::vector<char> buffer(kChunkBytes);
    for (;;) {
        ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int error = errno;
            LineStats stats = assembler.finish();
            stats.readable = false;
            stats.error = std::strerror(error);
            return stats;
        }
        if (n == 0) {
            return assembler.finish();
        }
        assembler.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
}

}  // namespace blackbox::journal
