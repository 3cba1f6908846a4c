// The symbolizer on real inputs: addresses of this test process, named against its own memory
// map as /proc/self/maps shows it, as they would be after a crash.

#include <cstdint>
#include <dlfcn.h>
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <libelf.h>
#include <link.h>
#include <sstream>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <blackbox/native/native_record.hpp>
#include <blackbox/native/symbolizer.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

// The probes live outside any namespace of ours, so that their names are exactly these.
// clang-format off
constexpr int kProbeFirstLine = __LINE__ + 1;
extern "C" __attribute__((noinline)) int blackbox_symbolizer_probe(int value) {
    volatile int sum = 0;
    for (int i = 0; i < value; ++i) { sum = sum + i; }
    return sum;
}
constexpr int kProbeLastLine = __LINE__ - 1;

namespace symbolizer_probe {
__attribute__((noinline)) double scaled(int value, double factor) {
    volatile double result = value * factor;
    return result;
}
}  // namespace symbolizer_probe
// clang-format on

namespace blackbox::native {
namespace {

namespace fs = std::filesystem;

std::string self_maps() {
    std::ifstream in("/proc/self/maps");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A record of this process: one thread with `pcs`, and the memory map as it is now.
RawRecord record_of(const std::vector<std::uint64_t>& pcs,
                    RawRecord::Kind kind = RawRecord::Kind::fatal,
                    const std::vector<bool>& signal_frames = {}) {
    std::string text = kind == RawRecord::Kind::fatal
                           ? "record fatal id=0 signal=11 code=1 addr=0x0 pid=1 ns=1\n"
                           : "record dump id=0 pid=1 ns=1 threads=1\n";
    text += "thread tid=1 pthread=0x1 name=test record=0\n";
    for (std::size_t i = 0; i < pcs.size(); ++i) {
        bool signal = i < signal_frames.size() && signal_frames[i];
        text += fmt::format("frame {:#x}{}\n", pcs[i], signal ? " signal" : "");
    }
    text += fmt::format("end thread frames={}\nmaps\n{}end maps\nend record id=0\n", pcs.size(),
                        self_maps());
    NativeFile file = parse_native_file(text);
    EXPECT_EQ(file.skipped_lines, 0U);
    return file.records.at(0);
}

std::uint64_t address_of(const void* code) {
    return reinterpret_cast<std::uint64_t>(code);
}

template <typename Function>
std::uint64_t address_of_function(Function* function) {
    return reinterpret_cast<std::uint64_t>(function);
}

// The load bias of the object holding `address` (what addr2line's addresses are relative to).
std::uint64_t load_bias_of(std::uint64_t address) {
    Dl_info info;
    link_map* map = nullptr;
    if (dladdr1(reinterpret_cast<void*>(address), &info, reinterpret_cast<void**>(&map),
                RTLD_DL_LINKMAP) == 0 ||
        map == nullptr) {
        ADD_FAILURE() << "no object holds " << address;
        return 0;
    }
    return map->l_addr;
}

bool ends_with(const std::optional<std::string>& text, std::string_view suffix) {
    return text && std::string_view(*text).ends_with(suffix);
}

// gcc writes .debug_aranges and clang does not (the instrumented build is clang's): the two
// builds find a line both ways.
TEST(Symbolizer, NamesAFunctionOfThisProgramWithItsSourceLine) {
    std::uint64_t pc = address_of_function(&blackbox_symbolizer_probe) + 4;
    NativeStacks stacks = symbolize(record_of({pc}));
    ASSERT_EQ(stacks.threads.size(), 1U);
    EXPECT_TRUE(stacks.threads[0].crashed);
    ASSERT_EQ(stacks.threads[0].frames.size(), 1U);
    const NativeFrame& frame = stacks.threads[0].frames[0];
    EXPECT_EQ(frame.pc, pc);
    EXPECT_EQ(frame.object, fs::read_symlink("/proc/self/exe").string());
    EXPECT_EQ(frame.offset, pc - load_bias_of(pc));
    EXPECT_EQ(frame.function, "blackbox_symbolizer_probe");
    EXPECT_EQ(frame.function_offset, 4U);
    EXPECT_TRUE(ends_with(frame.file, "tests/unit/native/symbolizer_test.cpp"))
        << frame.file.value_or("(no file)");
    ASSERT_TRUE(frame.line);
    EXPECT_GE(*frame.line, kProbeFirstLine);
    EXPECT_LE(*frame.line, kProbeLastLine);
}

TEST(Symbolizer, DemanglesCppNames) {
    std::uint64_t pc = address_of_function(&symbolizer_probe::scaled) + 4;
    NativeStacks stacks = symbolize(record_of({pc}));
    const NativeFrame& frame = stacks.threads.at(0).frames.at(0);
    EXPECT_EQ(frame.function, "symbolizer_probe::scaled(int, double)");
}

TEST(Symbolizer, LooksUpTheCallOfAReturnAddress) {
    // A return address at a function's first byte is the end of the call before it: it must not
    // be named after the function it points at, unless a signal interrupted it there.
    std::uint64_t start = address_of_function(&blackbox_symbolizer_probe);
    NativeStacks dump = symbolize(record_of({start + 8, start}, RawRecord::Kind::dump));
    const auto& frames = dump.threads.at(0).frames;
    EXPECT_FALSE(dump.threads[0].crashed);
    EXPECT_EQ(frames.at(0).function, "blackbox_symbolizer_probe");
    EXPECT_EQ(frames[0].function_offset, 8U);  // of the real pc, though pc - 1 was looked up
    EXPECT_NE(frames.at(1).function, "blackbox_symbolizer_probe");
    EXPECT_EQ(frames[1].offset, start - load_bias_of(start));

    NativeStacks interrupted = symbolize(
        record_of({start + 8, start + 16, start}, RawRecord::Kind::dump, {false, true, false}));
    const auto& after_signal = interrupted.threads.at(0).frames;
    EXPECT_TRUE(after_signal.at(1).signal_frame);
    EXPECT_EQ(after_signal.at(2).function, "blackbox_symbolizer_probe");
    EXPECT_EQ(after_signal[2].function_offset, 0U);
}

// The build-id of the ELF file at `path`, as the hexadecimal of its debug file's name.
std::string build_id_of(const std::string& path) {
    elf_version(EV_CURRENT);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return "";
    }
    std::string hex;
    if (Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr)) {
        const void* id = nullptr;
        ssize_t size = dwelf_elf_gnu_build_id(elf, &id);
        for (ssize_t i = 0; i < size; ++i) {
            hex += fmt::format("{:02x}", static_cast<const unsigned char*>(id)[i]);
        }
        elf_end(elf);
    }
    ::close(fd);
    return hex;
}

TEST(Symbolizer, NamesLibcInternalsFromItsSeparateDebugFile) {
    // strlen is an ifunc: the dynamic linker resolves it to the implementation for this CPU,
    // whose name (__strlen_avx2, __strlen_evex, __strlen_sse2…) is only in libc's debug file.
    void* libc = ::dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    ASSERT_NE(libc, nullptr);
    void* strlen_code = ::dlsym(libc, "strlen");
    ::dlclose(libc);
    ASSERT_NE(strlen_code, nullptr);
    Dl_info info;
    ASSERT_NE(::dladdr(strlen_code, &info), 0);
    std::string libc_path = fs::canonical(info.dli_fname).string();
    std::string id = build_id_of(libc_path);
    fs::path debug_file = fs::path("/usr/lib/debug/.build-id") / id.substr(0, 2) /
                          (id.substr(std::min<std::size_t>(2, id.size())) + ".debug");
    if (id.size() < 3 || !fs::exists(debug_file)) {
        GTEST_SKIP() << "no debug file for " << libc_path << " under /usr/lib/debug (" << debug_file
                     << "): install libc6-dbg";
    }
    std::uint64_t pc = address_of(strlen_code) + 4;
    RawRecord record = record_of({pc});
    NativeStacks stacks = symbolize(record, {.lines = SourceLines::all});
    const NativeFrame& frame = stacks.threads.at(0).frames.at(0);
    EXPECT_EQ(frame.object, libc_path);
    EXPECT_EQ(frame.offset, pc - load_bias_of(pc));
    ASSERT_TRUE(frame.function);
    EXPECT_TRUE(frame.function->starts_with("__strlen_")) << *frame.function;
    EXPECT_EQ(frame.function_offset, 4U);
    EXPECT_TRUE(frame.file && frame.file->find("strlen") != std::string::npos)
        << frame.file.value_or("(no file)");

    // By default a system library's frame is named without reading its line information.
    NativeStacks named_only = symbolize(record);
    const NativeFrame& same = named_only.threads.at(0).frames.at(0);
    EXPECT_EQ(same.function, frame.function);
    EXPECT_FALSE(same.file);
    EXPECT_FALSE(same.line);
}

TEST(Symbolizer, KeepsTheAddressOfWhatIsInNoFile) {
    void* page = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(page, MAP_FAILED);
    std::uint64_t anonymous = address_of(page) + 16;
    NativeStacks stacks = symbolize(record_of({0x10, anonymous}));
    ::munmap(page, 4096);
    const auto& frames = stacks.threads.at(0).frames;
    for (const NativeFrame& frame : frames) {
        EXPECT_EQ(frame.object, "");
        EXPECT_FALSE(frame.function);
        EXPECT_FALSE(frame.file);
    }
    EXPECT_EQ(frames.at(0).offset, 0x10U);
    EXPECT_EQ(frames.at(1).offset, anonymous);
}

TEST(Symbolizer, KeepsObjectAndOffsetOfWhatCannotBeRead) {
    RawRecord record;
    record.threads.push_back(RawThread{
        .tid = 1,
        .pthread = 1,
        .name = "t",
        .pcs = {0x7f0000000100, 0x7f0000010100, 0x7f0000020100, 0x7f0000030100, 0x7f0000040100},
        .signal_frames = {},
        .truncated = false});
    const char* paths[] = {"/nonexistent/libgone.so", "/usr", "/dev/null", "/proc/self/status",
                           "[vdso]"};
    for (std::uint64_t i = 0; i < 5; ++i) {
        Mapping mapping;
        mapping.start = 0x7f0000000000 + i * 0x10000;
        mapping.end = mapping.start + 0x10000;
        mapping.file_offset = 0x1000;
        mapping.permissions = "r-xp";
        mapping.path = paths[i];
        record.maps.push_back(mapping);
    }
    NativeStacks stacks = symbolize(record);
    const auto& frames = stacks.threads.at(0).frames;
    ASSERT_EQ(frames.size(), 5U);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].object, paths[i]);
        EXPECT_EQ(frames[i].offset, 0x1100U);  // pc - start + the mapping's file offset
        EXPECT_FALSE(frames[i].function);
    }
}

// A handle of a shared object loaded for a test, closed after it.
class Loaded {
  public:
    explicit Loaded(const fs::path& path) : handle_(::dlopen(path.c_str(), RTLD_NOW)) {}
    ~Loaded() {
        if (handle_ != nullptr) {
            ::dlclose(handle_);
        }
    }
    Loaded(const Loaded&) = delete;
    Loaded& operator=(const Loaded&) = delete;

    explicit operator bool() const { return handle_ != nullptr; }
    template <typename Function>
    Function* function(const char* name) const {
        return reinterpret_cast<Function*>(::dlsym(handle_, name));
    }
    // The address of the probe's file-local function.
    std::uint64_t hidden_address() const {
        auto* address = function<std::uintptr_t()>("blackbox_probe_hidden_address");
        return address != nullptr ? address() : 0;
    }

  private:
    void* handle_;
};

TEST(Symbolizer, NamesAFileLocalFunctionOnlyWithTheFullSymbolTable) {
    Loaded full(testing::native_probe());
    Loaded stripped(testing::native_probe_stripped());
    ASSERT_TRUE(full) << ::dlerror();
    ASSERT_TRUE(stripped) << ::dlerror();
    std::uint64_t full_pc = full.hidden_address() + 2;
    std::uint64_t stripped_pc = stripped.hidden_address() + 2;
    NativeStacks stacks = symbolize(record_of({full_pc, stripped_pc}, RawRecord::Kind::fatal,
                                              {true, false}));  // both looked up exactly
    const auto& frames = stacks.threads.at(0).frames;

    const NativeFrame& named = frames.at(0);
    EXPECT_EQ(named.object, testing::native_probe().string());
    EXPECT_EQ(named.offset, full_pc - load_bias_of(full_pc));
    EXPECT_EQ(named.function, "probe_hidden(int)");
    EXPECT_EQ(named.function_offset, 2U);
    EXPECT_TRUE(ends_with(named.file, "tests/native_probe/probe_library.cpp"))
        << named.file.value_or("(no file)");
    ASSERT_TRUE(named.line);
    EXPECT_GE(*named.line, full.function<int()>("blackbox_probe_hidden_first_line")());
    EXPECT_LE(*named.line, full.function<int()>("blackbox_probe_hidden_last_line")());

    const NativeFrame& unnamed = frames.at(1);
    EXPECT_EQ(unnamed.object, testing::native_probe_stripped().string());
    EXPECT_EQ(unnamed.offset, named.offset);  // stripping moves no code
    EXPECT_FALSE(unnamed.function);
    EXPECT_FALSE(unnamed.file);
    EXPECT_FALSE(unnamed.line);
}

TEST(Symbolizer, FindsSeparateDebugInformationThroughItsDebuglink) {
    Loaded linked(testing::native_probe_debuglinked());
    ASSERT_TRUE(linked) << ::dlerror();
    std::uint64_t pc = linked.hidden_address() + 2;
    NativeStacks stacks = symbolize(record_of({pc}));
    const NativeFrame& frame = stacks.threads.at(0).frames.at(0);
    EXPECT_EQ(frame.object, testing::native_probe_debuglinked().string());
    EXPECT_EQ(frame.function, "probe_hidden(int)");
    EXPECT_TRUE(ends_with(frame.file, "tests/native_probe/probe_library.cpp"))
        << frame.file.value_or("(no file)");
}

TEST(Symbolizer, KeepsObjectAndOffsetOfADeletedObject) {
    testing::ScratchDir scratch("symbolizer");
    fs::path copy = scratch / "libdeleted.so";
    fs::copy_file(testing::native_probe(), copy);
    Loaded loaded(copy);
    ASSERT_TRUE(loaded) << ::dlerror();
    fs::remove(copy);
    std::uint64_t pc = loaded.hidden_address() + 2;
    RawRecord record = record_of({pc});
    const Mapping* holding = nullptr;
    for (const Mapping& mapping : record.maps) {
        if (mapping.start <= pc && pc < mapping.end) {
            holding = &mapping;
        }
    }
    ASSERT_NE(holding, nullptr);
    EXPECT_TRUE(holding->deleted);
    EXPECT_EQ(holding->path, copy.string());

    NativeStacks stacks = symbolize(record);
    const NativeFrame& frame = stacks.threads.at(0).frames.at(0);
    EXPECT_EQ(frame.object, copy.string());
    EXPECT_TRUE(frame.object_deleted);
    EXPECT_EQ(frame.offset, pc - holding->start + holding->file_offset);
    EXPECT_FALSE(frame.function);
}

TEST(Symbolizer, DoesNotReadAnObjectReplacedSinceTheMapWasRecorded) {
    Loaded full(testing::native_probe());
    ASSERT_TRUE(full) << ::dlerror();
    std::uint64_t pc = full.hidden_address() + 2;
    RawRecord record = record_of({pc});
    for (Mapping& mapping : record.maps) {
        if (mapping.path == testing::native_probe().string()) {
            ++mapping.inode;  // another file at that path on the same device
        }
    }
    NativeStacks stacks = symbolize(record);
    const NativeFrame& frame = stacks.threads.at(0).frames.at(0);
    EXPECT_EQ(frame.object, testing::native_probe().string());
    EXPECT_FALSE(frame.function);
    EXPECT_FALSE(frame.file);
}

}  // namespace
}  // namespace blackbox::native
