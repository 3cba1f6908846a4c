// The native stack file's reader (native/native_record.hpp) and the reader of Python 3.14's
// faulthandler C stack (native/faulthandler_c_stack.hpp) on any bytes: neither throws; every
// record holds what the reader's contract says (one signal flag per frame, at most
// kMaxFramesKept frames a thread, mappings that end after they start, the kernel's " (deleted)"
// taken off a path, once), and placing its frames in its map never fails. The objects the map names
// are not opened: a fuzzer must not read the machine's files.

#include <blackbox/native/faulthandler_c_stack.hpp>
#include <blackbox/native/frame_origin.hpp>
#include <blackbox/native/native_record.hpp>
#include <blackbox/native/symbolizer.hpp>

#include "fuzz_input.hpp"

using namespace blackbox;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    native::NativeFile file = native::parse_native_file(text);
    for (native::RawRecord& record : file.records) {
        for (const native::RawThread& thread : record.threads) {
            fuzz::check(thread.pcs.size() == thread.signal_frames.size(),
                        "a thread's signal flags are not one per frame");
            fuzz::check(thread.pcs.size() <= native::kMaxFramesKept, "a thread's frames unbounded");
        }
        for (native::Mapping& mapping : record.maps) {
            fuzz::check(mapping.start < mapping.end, "a mapping ends before it starts");
            // Exactly the kernel's suffix comes off (a file's own name may end like it).
            fuzz::check(!mapping.deleted ||
                            text.find(mapping.path + " (deleted)") != std::string_view::npos,
                        "a deleted mapping's suffix was not the kernel's");
            if (!mapping.path.starts_with('[')) {
                mapping.path.clear();  // never open the machine's files
            }
        }
        native::NativeStacks stacks = native::symbolize(record);
        fuzz::check(stacks.threads.size() == record.threads.size(), "a thread was lost");
        for (const native::NativeThread& thread : stacks.threads) {
            std::size_t covered = 0;
            for (const native::FoldedFrame& entry : native::fold_frames(thread.frames)) {
                fuzz::check(entry.first == covered && entry.count > 0, "folding skipped a frame");
                covered += entry.count;
            }
            fuzz::check(covered == thread.frames.size(), "folding lost frames");
        }
    }
    if (auto thread = native::parse_faulthandler_c_stack(text)) {
        fuzz::check(!thread->frames.empty(), "a C stack without frames was read");
    }
    return 0;
}
