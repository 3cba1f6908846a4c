#include "raw_io.hpp"

#include <cerrno>
#include <ctime>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "text_buffer.hpp"

namespace blackbox::native_handler {

namespace {

// Closes a descriptor on every way out.
class Closing {
  public:
    explicit Closing(int fd) : fd_(fd) {}
    ~Closing() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Closing(const Closing&) = delete;
    Closing& operator=(const Closing&) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

ssize_t read_some(int fd, char* buffer, std::size_t size) {
    for (;;) {
        ssize_t got = ::read(fd, buffer, size);
        if (got >= 0 || errno != EINTR) {
            return got;
        }
    }
}

// What getdents64 returns, one entry after another (the kernel's struct linux_dirent64).
struct DirectoryEntry {
    std::uint64_t inode;
    std::int64_t offset;
    unsigned short length;
    unsigned char type;
    char name[1];
};

}  // namespace

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t written = ::write(fd, data, size);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        if (written == 0) {
            return false;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

std::int64_t monotonic_ns() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

pid_t current_tid() {
    return static_cast<pid_t>(::syscall(SYS_gettid));
}

std::size_t thread_name(pid_t tid, char* out) {
    char path_storage[64];
    TextBuffer path(path_storage, sizeof path_storage - 1);
    path.text("/proc/self/task/");
    path.unsigned_decimal(static_cast<std::uint64_t>(tid));
    path.text("/comm");
    path_storage[path.size()] = '\0';
    Closing file(::open(path_storage, O_RDONLY | O_CLOEXEC));
    if (file.fd() < 0) {
        return 0;
    }
    ssize_t got = read_some(file.fd(), out, 16);
    if (got <= 0) {
        return 0;
    }
    auto size = static_cast<std::size_t>(got);
    while (size > 0 && (out[size - 1] == '\n' || out[size - 1] == '\0')) {
        --size;
    }
    if (size > 15) {
        size = 15;
    }
    for (std::size_t i = 0; i < size; ++i) {
        auto byte = static_cast<unsigned char>(out[i]);
        if (byte <= 0x20 || byte >= 0x7f) {
            out[i] = '?';
        }
    }
    return size;
}

bool copy_maps(int fd, std::size_t limit, char* buffer, std::size_t buffer_size) {
    Closing maps(::open("/proc/self/maps", O_RDONLY | O_CLOEXEC));
    if (maps.fd() < 0) {
        return false;
    }
    std::size_t total = 0;
    char last = '\n';
    while (total < limit) {
        std::size_t room = limit - total < buffer_size ? limit - total : buffer_size;
        ssize_t got = read_some(maps.fd(), buffer, room);
        if (got <= 0) {
            break;
        }
        auto size = static_cast<std::size_t>(got);
        if (total + size >= limit) {
            // The bound cuts the copy: only whole lines go out.
            while (size > 0 && buffer[size - 1] != '\n') {
                --size;
            }
            total = limit;
        } else {
            total += size;
        }
        if (size == 0 || !write_all(fd, buffer, size)) {
            break;
        }
        last = buffer[size - 1];
    }
    if (last != '\n') {
        write_all(fd, "\n", 1);
    }
    return true;
}

long list_threads(pid_t* tids, std::size_t capacity, char* buffer, std::size_t buffer_size) {
    Closing folder(::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder.fd() < 0) {
        return -1;
    }
    long count = 0;
    for (;;) {
        long got = ::syscall(SYS_getdents64, folder.fd(), buffer, buffer_size);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return got < 0 && count == 0 ? -1 : count;
        }
        for (long at = 0; at < got;) {
            const auto* entry = reinterpret_cast<const DirectoryEntry*>(buffer + at);
            at += entry->length;
            const char* name = entry->name;
            if (*name < '0' || *name > '9') {
                continue;  // "." and ".."
            }
            long tid = 0;
            for (; *name >= '0' && *name <= '9'; ++name) {
                tid = tid * 10 + (*name - '0');
            }
            if (static_cast<std::size_t>(count) < capacity) {
                tids[count] = static_cast<pid_t>(tid);
            }
            ++count;
        }
    }
}

void sleep_a_millisecond() {
    timespec delay{0, 1000000};
    ::nanosleep(&delay, nullptr);
}

}  // namespace blackbox::native_handler
