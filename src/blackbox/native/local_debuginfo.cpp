#include <cstdlib>
#include <cstring>
#include <elfutils/libdwelf.h>
#include <filesystem>
#include <libelf.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/native/local_debuginfo.hpp>

namespace blackbox::native {

namespace {

// The CRC-32 .gnu_debuglink records (zlib's: the same polynomial and conditioning).
bool crc_matches(int fd, GElf_Word expected) {
    uLong crc = crc32(0L, Z_NULL, 0);
    char buffer[64 * 1024];
    off_t at = 0;
    for (;;) {
        ssize_t got = ::pread(fd, buffer, sizeof buffer, at);
        if (got < 0) {
            return false;
        }
        if (got == 0) {
            return crc == expected;
        }
        crc = crc32(crc, reinterpret_cast<const Bytef*>(buffer), static_cast<uInt>(got));
        at += got;
    }
}

bool build_id_matches(int fd, const unsigned char* wanted, int wanted_size) {
    Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (elf == nullptr) {
        return false;
    }
    const void* id = nullptr;
    ssize_t size = dwelf_elf_gnu_build_id(elf, &id);
    bool same = size == wanted_size && std::memcmp(id, wanted, static_cast<std::size_t>(size)) == 0;
    elf_end(elf);
    return same;
}

int by_debuglink(Dwfl_Module* module, const char* file_name, const char* debuglink, GElf_Word crc,
                 char** found) {
    namespace fs = std::filesystem;
    // A name with a '/' is dwz's shared file of an alternate link (.gnu_debugaltlink), found by
    // build-id only.
    if (debuglink == nullptr || file_name == nullptr || file_name[0] != '/' ||
        std::strchr(debuglink, '/') != nullptr) {
        return -1;
    }
    struct stat main_file {};
    if (::stat(file_name, &main_file) != 0) {
        return -1;
    }
    const unsigned char* build_id = nullptr;
    GElf_Addr note_address = 0;
    int build_id_size = dwfl_module_build_id(module, &build_id, &note_address);
    fs::path directory = fs::path(file_name).parent_path();
    const fs::path candidates[] = {
        directory / debuglink, directory / ".debug" / debuglink,
        fs::path("/usr/lib/debug") / directory.relative_path() / debuglink};
    for (const fs::path& candidate : candidates) {
        base::OpenedFile opened = base::open_regular_file(candidate);
        struct stat st {};
        if (!opened.fd || ::fstat(opened.fd.get(), &st) != 0 ||
            (st.st_dev == main_file.st_dev && st.st_ino == main_file.st_ino)) {
            continue;  // absent, or the object itself by another name
        }
        bool valid = build_id_size > 0 ? build_id_matches(opened.fd.get(), build_id, build_id_size)
                     : crc != 0        ? crc_matches(opened.fd.get(), crc)
                                       : true;
        if (!valid) {
            continue;
        }
        *found = ::strdup(candidate.c_str());  // libdwfl frees it
        if (*found == nullptr) {
            return -1;
        }
        return opened.fd.release();
    }
    return -1;
}

}  // namespace

int find_local_debuginfo(Dwfl_Module* module, void** userdata, const char* module_name,
                         Dwarf_Addr base, const char* file_name, const char* debuglink_file,
                         GElf_Word debuglink_crc, char** debuginfo_file_name) noexcept {
    try {
        int fd = dwfl_build_id_find_debuginfo(module, userdata, module_name, base, file_name,
                                              debuglink_file, debuglink_crc, debuginfo_file_name);
        if (fd >= 0) {
            return fd;
        }
        return by_debuglink(module, file_name, debuglink_file, debuglink_crc, debuginfo_file_name);
    } catch (...) {
        return -1;
    }
}

}  // namespace blackbox::native
