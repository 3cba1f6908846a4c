// Whose code a native frame runs, and a thread's frames folded for display.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <blackbox/native/frame_origin.hpp>

namespace blackbox::native {
namespace {

NativeFrame in(const std::string& object, const char* function = nullptr) {
    NativeFrame frame;
    frame.object = object;
    if (function != nullptr) {
        frame.function = function;
    }
    return frame;
}

TEST(FrameOrigin, TellsWhoseCodeAFrameRuns) {
    struct Case {
        const char* object;
        FrameOrigin origin;
    };
    const Case cases[] = {
        {"/opt/blackbox/share/blackbox/python/libblackbox_native.so", FrameOrigin::own},
        {"/usr/lib/x86_64-linux-gnu/libunwind.so.8.0.1", FrameOrigin::own},
        {"/usr/lib/x86_64-linux-gnu/libunwind-x86_64.so.8", FrameOrigin::own},
        {"/usr/bin/python3.11", FrameOrigin::interpreter},
        {"/usr/bin/python3", FrameOrigin::interpreter},
        {"/home/u/proj/.venv/bin/python", FrameOrigin::interpreter},
        {"python3", FrameOrigin::interpreter},  // faulthandler's name of the program: argv[0]
        {"/opt/py/bin/python3.13t", FrameOrigin::interpreter},
        {"/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0", FrameOrigin::interpreter},
        {"/usr/lib/libpython3.14d.so", FrameOrigin::interpreter},
        {"/usr/lib/x86_64-linux-gnu/libc.so.6", FrameOrigin::system},
        {"/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", FrameOrigin::system},
        {"/usr/lib/x86_64-linux-gnu/libgcc_s.so.1", FrameOrigin::system},
        {"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", FrameOrigin::system},
        {"/usr/lib/x86_64-linux-gnu/libm.so.6", FrameOrigin::system},
        {"/usr/lib/x86_64-linux-gnu/libpthread.so.0", FrameOrigin::system},
        {"[vdso]", FrameOrigin::system},
        {"/home/u/proj/_native.cpython-311-x86_64-linux-gnu.so", FrameOrigin::extension},
        {"/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2", FrameOrigin::extension},
        {"/usr/lib/x86_64-linux-gnu/libcrypto.so.3", FrameOrigin::extension},
        {"/usr/lib/x86_64-linux-gnu/libmpfr.so.6", FrameOrigin::extension},
        {"/usr/bin/python2.7", FrameOrigin::extension},
        {"/usr/bin/python3.x", FrameOrigin::extension},
        {"/opt/pythonista/lib.so", FrameOrigin::extension},
        {"", FrameOrigin::extension},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(origin_of(in(c.object)), c.origin) << c.object;
    }
    EXPECT_EQ(origin_name(FrameOrigin::interpreter), "interpreter");
    EXPECT_EQ(origin_name(FrameOrigin::own), "own");
}

TEST(FrameOrigin, FoldsRunsOfTheInterpretersAndOurOwnFrames) {
    std::vector<NativeFrame> frames = {
        in("/usr/lib/libblackbox_native.so"),            // 0 own
        in("/usr/lib/x86_64-linux-gnu/libunwind.so.8"),  // 1 own
        in("/usr/lib/x86_64-linux-gnu/libc.so.6"),       // 2 system
        in("/home/u/_ext.so", "crash_here"),             // 3 extension
        in("/home/u/_ext.so", "call_it"),                // 4 extension
        in("/usr/bin/python3.11"),                       // 5 interpreter
        in("/usr/bin/python3.11"),                       // 6
        in("/usr/lib/libpython3.11.so.1.0"),             // 7
        in("/usr/lib/libffi.so.8"),                      // 8 extension
        in("/usr/bin/python3.11", "Py_BytesMain"),       // 9 a lone interpreter frame
        in("/usr/lib/x86_64-linux-gnu/libc.so.6"),       // 10
    };
    std::vector<FoldedFrame> folded = fold_frames(frames);
    ASSERT_EQ(folded.size(), 8U);

    EXPECT_TRUE(folded[0].collapsed);
    EXPECT_EQ(folded[0].origin, FrameOrigin::own);
    EXPECT_EQ(folded[0].first, 0U);
    EXPECT_EQ(folded[0].count, 2U);
    EXPECT_EQ(folded[0].objects,
              (std::vector<std::string>{"libblackbox_native.so", "libunwind.so.8"}));

    for (std::size_t i : {1U, 2U, 3U}) {
        EXPECT_FALSE(folded[i].collapsed);
        EXPECT_EQ(folded[i].count, 1U);
        EXPECT_EQ(folded[i].first, i + 1);
        EXPECT_TRUE(folded[i].objects.empty());
    }
    EXPECT_EQ(folded[1].origin, FrameOrigin::system);
    EXPECT_EQ(folded[2].origin, FrameOrigin::extension);

    EXPECT_TRUE(folded[4].collapsed);
    EXPECT_EQ(folded[4].origin, FrameOrigin::interpreter);
    EXPECT_EQ(folded[4].first, 5U);
    EXPECT_EQ(folded[4].count, 3U);
    EXPECT_EQ(folded[4].objects, (std::vector<std::string>{"python3.11", "libpython3.11.so.1.0"}));

    EXPECT_EQ(folded[5].first, 8U);
    EXPECT_FALSE(folded[6].collapsed);  // alone, so kept with its name
    EXPECT_EQ(folded[6].origin, FrameOrigin::interpreter);
    EXPECT_EQ(folded[6].first, 9U);
    EXPECT_EQ(folded[7].first, 10U);

    std::size_t covered = 0;
    for (const FoldedFrame& entry : folded) {
        EXPECT_EQ(entry.first, covered);
        covered += entry.count;
    }
    EXPECT_EQ(covered, frames.size());
    EXPECT_TRUE(fold_frames({}).empty());
}

}  // namespace
}  // namespace blackbox::native
