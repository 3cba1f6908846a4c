// Naming a recorded stack with elfutils' libdwfl.
//
// Each object a frame falls in is reported with dwfl_report_elf at the load bias this file
// computes from the recorded mapping that holds the frame and the object's program headers as
// they are on disk now, rather than by replaying the whole map through
// dwfl_linux_proc_maps_report: a module's bias then does not depend on the map holding the
// object's first mapping (a torn map may have lost it), an object loaded twice (dlmopen) is two
// modules, only the objects the stack touches are opened, a mapping that falls in no loadable
// segment of the file on disk (the file was rebuilt since) leaves its frames unnamed instead of
// named wrongly, and a file replaced on the same device (another inode) is not read at all.

#include <algorithm>
#include <cstdlib>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <libelf.h>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <utility>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/native/demangle.hpp>
#include <blackbox/native/frame_origin.hpp>
#include <blackbox/native/local_debuginfo.hpp>
#include <blackbox/native/symbolizer.hpp>

namespace blackbox::native {

namespace {

constexpr std::uint64_t kPageSize = 4096;

// An object file as it is on this machine now: what places a recorded mapping in it.
struct ObjectFile {
    base::UniqueFd fd;        // each module reported from it gets a duplicate
    bool executable = false;  // ET_EXEC: its addresses are absolute (bias 0)
    std::vector<GElf_Phdr> loads;
};

std::optional<ObjectFile> open_object(const Mapping& mapping) {
    if (mapping.deleted || mapping.path.empty() || mapping.path.front() != '/') {
        return std::nullopt;
    }
    base::OpenedFile opened = base::open_regular_file(mapping.path);
    struct stat st {};
    if (!opened.fd || ::fstat(opened.fd.get(), &st) != 0) {
        return std::nullopt;
    }
    // Another file at the same path on the same device: replaced since (a rebuild, an upgrade).
    // A different device says nothing (overlayfs shows the layer's device in maps).
    if (mapping.inode != 0 && major(st.st_dev) == mapping.device_major &&
        minor(st.st_dev) == mapping.device_minor && st.st_ino != mapping.inode) {
        return std::nullopt;
    }
    ObjectFile object;
    Elf* elf = elf_begin(opened.fd.get(), ELF_C_READ_MMAP, nullptr);
    if (elf == nullptr) {
        return std::nullopt;
    }
    GElf_Ehdr header;
    std::size_t count = 0;
    if (elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &header) != nullptr &&
        (header.e_type == ET_DYN || header.e_type == ET_EXEC) && elf_getphdrnum(elf, &count) == 0) {
        object.executable = header.e_type == ET_EXEC;
        for (std::size_t i = 0; i < count; ++i) {
            GElf_Phdr segment;
            if (gelf_getphdr(elf, static_cast<int>(i), &segment) != nullptr &&
                segment.p_type == PT_LOAD) {
                object.loads.push_back(segment);
            }
        }
    }
    elf_end(elf);
    if (object.loads.empty()) {
        return std::nullopt;
    }
    object.fd = std::move(opened.fd);
    return object;
}

// The load bias that puts `address` (in `mapping`) where the object's segments say, or nullopt
// when the mapping does not fit the file as it is now.
std::optional<std::uint64_t> load_bias(const ObjectFile& object, const Mapping& mapping,
                                       std::uint64_t address) {
    std::uint64_t in_file = mapping.file_offset + (address - mapping.start);
    for (const GElf_Phdr& segment : object.loads) {
        if (in_file < segment.p_offset || in_file - segment.p_offset >= segment.p_filesz) {
            continue;
        }
        std::uint64_t bias = address - (segment.p_vaddr + (in_file - segment.p_offset));
        if (bias % kPageSize != 0 || (object.executable && bias != 0)) {
            return std::nullopt;
        }
        return bias;
    }
    return std::nullopt;
}

int no_elf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**, Elf**) {
    return -1;  // every module is reported with its file open
}

const Dwfl_Callbacks kCallbacks = {
    .find_elf = no_elf,
    .find_debuginfo = find_local_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = nullptr,  // elfutils' default: build-ids under /usr/lib/debug
};

struct DwflEnd {
    void operator()(Dwfl* dwfl) const { dwfl_end(dwfl); }
};

// Where one frame is, before it is named.
struct Placed {
    NativeFrame* frame;
    std::uint64_t lookup;  // the address looked up: pc - 1 for a return address
    const Mapping* mapping = nullptr;
    std::optional<std::uint64_t> bias;
};

// The line of `address` (the process's) found without .debug_aranges, which libdw 0.188 needs
// to find an address's unit and which clang and rustc do not write unless asked: each unit's
// own address ranges are checked in turn. nullptr when the object has that table (its answer
// stands) or no unit holds the address.
Dwarf_Line* line_without_aranges(Dwfl_Module* module, Dwarf_Addr address) {
    Dwarf_Addr bias = 0;
    Dwarf* dwarf = dwfl_module_getdwarf(module, &bias);
    Dwarf_Aranges* aranges = nullptr;
    std::size_t count = 0;
    if (dwarf == nullptr || (dwarf_getaranges(dwarf, &aranges, &count) == 0 && count > 0)) {
        return nullptr;
    }
    for (Dwarf_Die* unit = dwfl_module_nextcu(module, nullptr, &bias); unit != nullptr;
         unit = dwfl_module_nextcu(module, unit, &bias)) {
        if (dwarf_haspc(unit, address - bias) == 1) {
            return dwarf_getsrc_die(unit, address - bias);
        }
    }
    return nullptr;
}

// Names one placed frame from its module, with its source line when `lines` says so.
void name_frame(Dwfl_Module* module, const Placed& placed, SourceLines lines) {
    NativeFrame& frame = *placed.frame;
    GElf_Off offset = 0;
    GElf_Sym symbol;
    const char* name =
        dwfl_module_addrinfo(module, placed.lookup, &offset, &symbol, nullptr, nullptr, nullptr);
    if (name != nullptr && name[0] != '\0') {
        // A symbol version ("__libc_start_main@@GLIBC_2.34") names no other function.
        std::string_view text(name);
        frame.function = demangled(text.substr(0, std::max<std::size_t>(text.find('@'), 1)));
        frame.function_offset = offset + (frame.pc - placed.lookup);
    }
    if (lines == SourceLines::extensions && origin_of(frame) != FrameOrigin::extension) {
        return;
    }
    Dwfl_Line* line = dwfl_module_getsrc(module, placed.lookup);
    Dwarf_Addr line_bias = 0;
    Dwarf_Line* dwarf_line = line != nullptr ? dwfl_dwarf_line(line, &line_bias)
                                             : line_without_aranges(module, placed.lookup);
    if (dwarf_line != nullptr) {
        const char* source = dwarf_linesrc(dwarf_line, nullptr, nullptr);
        int number = 0;
        if (source != nullptr && source[0] != '\0') {
            frame.file = source;
            if (dwarf_lineno(dwarf_line, &number) == 0 && number > 0) {
                frame.line = number;
            }
        }
    }
}

class Symbolizer {
  public:
    Symbolizer(const RawRecord& record, const SymbolizeOptions& options)
        : maps_(sorted_maps(record)), options_(options) {}

    // Resolves every frame to its object and offset (and a module when the object is readable).
    void place(NativeFrame& frame, std::uint64_t lookup) {
        Placed placed{&frame, lookup, nullptr, std::nullopt};
        frame.offset = frame.pc;
        const Mapping* mapping = mapping_of(lookup);
        if (mapping == nullptr || mapping->path.empty()) {
            return;  // in no mapping, or anonymous memory (JIT code, a corrupt return address)
        }
        placed.mapping = mapping;
        frame.object = mapping->path;
        frame.object_deleted = mapping->deleted;
        frame.offset = frame.pc - mapping->start + mapping->file_offset;
        if (const ObjectFile* object = object_for(*mapping)) {
            placed.bias = load_bias(*object, *mapping, lookup);
            if (placed.bias) {
                frame.offset = frame.pc - *placed.bias;
                modules_.try_emplace({mapping->path, *placed.bias}, nullptr);
            }
        }
        placed_.push_back(placed);
    }

    // Reports the modules the frames need, then names every frame that has one.
    void name_all() {
        if (modules_.empty()) {
            return;
        }
        std::unique_ptr<Dwfl, DwflEnd> dwfl(dwfl_begin(&kCallbacks));
        if (!dwfl) {
            return;
        }
        dwfl_report_begin(dwfl.get());
        for (auto& [key, module] : modules_) {
            base::UniqueFd fd(::dup(objects_.at(key.first)->fd.get()));
            if (!fd) {
                continue;
            }
            module = dwfl_report_elf(dwfl.get(), key.first.c_str(), key.first.c_str(), fd.get(),
                                     key.second, true);
            if (module != nullptr) {
                fd.release();  // the module owns it now
            }
        }
        dwfl_report_end(dwfl.get(), nullptr, nullptr);
        for (const Placed& placed : placed_) {
            if (!placed.bias) {
                continue;
            }
            if (Dwfl_Module* module = modules_.at({placed.mapping->path, *placed.bias})) {
                name_frame(module, placed, options_.lines);
            }
        }
    }

  private:
    static std::vector<const Mapping*> sorted_maps(const RawRecord& record) {
        std::vector<const Mapping*> maps;
        maps.reserve(record.maps.size());
        for (const Mapping& mapping : record.maps) {
            maps.push_back(&mapping);
        }
        std::stable_sort(maps.begin(), maps.end(),
                         [](const Mapping* a, const Mapping* b) { return a->start < b->start; });
        return maps;
    }

    const Mapping* mapping_of(std::uint64_t address) const {
        auto after = std::upper_bound(
            maps_.begin(), maps_.end(), address,
            [](std::uint64_t value, const Mapping* mapping) { return value < mapping->start; });
        if (after == maps_.begin()) {
            return nullptr;
        }
        const Mapping* mapping = *std::prev(after);
        return address < mapping->end ? mapping : nullptr;
    }

    const ObjectFile* object_for(const Mapping& mapping) {
        auto [at, inserted] = objects_.try_emplace(mapping.path);
        if (inserted) {
            at->second = open_object(mapping);
        }
        return at->second ? &*at->second : nullptr;
    }

    std::vector<const Mapping*> maps_;
    SymbolizeOptions options_;
    std::map<std::string, std::optional<ObjectFile>> objects_;               // by path, opened once
    std::map<std::pair<std::string, std::uint64_t>, Dwfl_Module*> modules_;  // path, bias
    std::vector<Placed> placed_;
};

}  // namespace

NativeStacks symbolize(const RawRecord& record, const SymbolizeOptions& options) {
    static const bool elf_ready = elf_version(EV_CURRENT) != EV_NONE;
    NativeStacks stacks;
    stacks.kind = record.kind;
    stacks.ns = record.ns;
    stacks.signal = record.signal;
    stacks.code = record.code;
    stacks.fault_address = record.fault_address;
    stacks.threads_in_process = record.threads_in_process;
    stacks.threads_answered = record.threads_answered;
    stacks.threads.reserve(record.threads.size());
    for (std::size_t t = 0; t < record.threads.size(); ++t) {
        const RawThread& raw = record.threads[t];
        NativeThread& thread = stacks.threads.emplace_back();
        thread.tid = raw.tid;
        thread.pthread = raw.pthread;
        thread.name = raw.name;
        thread.crashed = record.kind == RawRecord::Kind::fatal && t == 0;
        thread.truncated = raw.truncated;
        thread.frames.resize(raw.pcs.size());
        for (std::size_t i = 0; i < raw.pcs.size(); ++i) {
            NativeFrame& frame = thread.frames[i];
            frame.pc = raw.pcs[i];
            frame.signal_frame = i < raw.signal_frames.size() && raw.signal_frames[i];
        }
    }
    Symbolizer symbolizer(record, options);
    for (NativeThread& thread : stacks.threads) {
        for (std::size_t i = 0; i < thread.frames.size(); ++i) {
            NativeFrame& frame = thread.frames[i];
            // Every frame's address is a return address, whose call is the instruction before
            // it, except the instruction a signal interrupted: each thread's first frame (the
            // handler unwinds from the signal's context; in a fatal record, the faulting
            // instruction) and the frame right after a signal trampoline.
            bool exact = i == 0 || thread.frames[i - 1].signal_frame;
            std::uint64_t lookup = exact || frame.pc == 0 ? frame.pc : frame.pc - 1;
            symbolizer.place(frame, lookup);
        }
    }
    if (elf_ready) {
        try {
            symbolizer.name_all();
        } catch (...) {
            // Out of memory while naming: the frames keep their objects and offsets.
        }
    }
    return stacks;
}

}  // namespace blackbox::native
