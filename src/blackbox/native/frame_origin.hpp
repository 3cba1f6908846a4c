#pragma once

// Whose code a native frame runs, judged by its object's file name, and a thread's frames folded
// for display: the interpreter's evaluation loop and our own handler's frames are many and say
// little, the user's extensions and the system libraries they call say what crashed.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/native/symbolizer.hpp>

namespace blackbox::native {

enum class FrameOrigin {
    own,          // blackbox's handler: libblackbox_native.so, libunwind
    interpreter,  // the python executable (python, python3, python3.X), libpython3.X.so
    system,       // the C and C++ runtimes: libc, libstdc++, libgcc_s, ld-linux, libm, [vdso]…
    extension,    // everything else: the user's C extensions and the libraries they load
};

FrameOrigin origin_of(const NativeFrame& frame);

// "own", "interpreter", "system", "extension".
std::string_view origin_name(FrameOrigin origin);

// One line of a folded stack: a frame kept as it is, or a run of consecutive frames of our own
// or of the interpreter collapsed into one.
struct FoldedFrame {
    FrameOrigin origin = FrameOrigin::extension;
    std::size_t first = 0;   // index in the thread's frames of the first frame it stands for
    std::size_t count = 1;   // frames it stands for
    bool collapsed = false;  // a run of two or more frames of origin own or interpreter
    std::vector<std::string> objects;  // a collapsed run's objects (file names), in order
};

// `frames` (innermost first) folded: consecutive frames of origin own, or of origin
// interpreter, become one collapsed entry; every other frame, and a lone frame of either, is
// kept. The entries cover every frame once, in order.
std::vector<FoldedFrame> fold_frames(const std::vector<NativeFrame>& frames);

}  // namespace blackbox::native
