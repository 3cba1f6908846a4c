// Python 3.14's faulthandler C stack, read back (the format is CPython 3.14's
// Python/traceback.c: _Py_DumpStack and _Py_backtrace_symbols_fd; see faulthandler_c_stack.hpp).

#include <string>

#include <gtest/gtest.h>

#include <blackbox/native/faulthandler_c_stack.hpp>

namespace blackbox::native {
namespace {

// A worker's faulthandler file: a dump on request (a hang), then the fatal error that killed it.
constexpr const char* kFile = R"(# blackbox: dump requested (hang)
Thread 0x00007f3a1a7fc6c0 [pool-1] (most recent call first):
  File "/usr/lib/python3.14/threading.py", line 355 in wait

Current thread 0x00007f3a1c2b7740 [pytest-xdist] (most recent call first):
  File "/home/u/proj/tests/test_native.py", line 12 in test_slow
Fatal Python error: Segmentation fault

Thread 0x00007f3a1a7fc6c0 [pool-1] (most recent call first):
  File "/usr/lib/python3.14/threading.py", line 355 in wait

Current thread 0x00007f3a1c2b7740 [pytest-xdist] (most recent call first):
  File "/home/u/proj/tests/test_native.py", line 7 in test_crash
  File "/usr/lib/python3/dist-packages/_pytest/python.py", line 157 in pytest_pyfunc_call

Current thread's C stack trace (most recent call first):
  Binary file "/usr/bin/python3.14", at _Py_DumpStack+0x2e [0x5580a1b2c3de]
  Binary file "/usr/bin/python3.14", at +0x2b1c4f [0x5580a1a4dc4f]
  Binary file "/lib/x86_64-linux-gnu/libc.so.6", at +0x3c050 [0x7f3a1c35a050]
  Binary file "/home/u/my "proj"/_native.cpython-314-x86_64-linux-gnu.so", at _ZN6native5crashEPi+0x11 [0x7f3a1b8f1131]
  Binary file "/home/u/my "proj"/_native.cpython-314-x86_64-linux-gnu.so", at +0x1200 [0x7f3a1b8f1200]
  Binary file "/home/u/my "proj"/_native.cpython-314-x86_64-linux-gnu.so", at helper-0x10 [0x7f3a1b8f1300]
  Binary file '<unknown>' [0x7f3a00001234]
  Binary file "/usr/bin/python3.14", at _PyObject_MakeTpCall+0x8b [0x5580a19e7a2b]
  Binary file "/usr/lib/x86_64-linux-gnu/libffi.so.8", at ffi_call+0x12e [0x7f3a1b58ef0e]

Extension modules: _cffi_backend, _native (total: 2)
)";

TEST(FaulthandlerCStack, ReadsTheLastSectionsFrames) {
    auto thread = parse_faulthandler_c_stack(kFile);
    ASSERT_TRUE(thread);
    EXPECT_TRUE(thread->crashed);
    EXPECT_FALSE(thread->truncated);
    EXPECT_EQ(thread->pthread, 0x7f3a1c2b7740U);
    EXPECT_EQ(thread->name, "pytest-xdist");
    const auto& frames = thread->frames;
    ASSERT_EQ(frames.size(), 9U);

    EXPECT_EQ(frames[0].object, "/usr/bin/python3.14");
    EXPECT_EQ(frames[0].function, "_Py_DumpStack");
    EXPECT_EQ(frames[0].function_offset, 0x2eU);
    EXPECT_EQ(frames[0].pc, 0x5580a1b2c3deU);
    // The object's bias is known from its unnamed frame: pc - 0x2b1c4f.
    EXPECT_EQ(frames[0].offset, 0x5580a1b2c3deU - (0x5580a1a4dc4fU - 0x2b1c4fU));

    EXPECT_FALSE(frames[1].function);
    EXPECT_EQ(frames[1].offset, 0x2b1c4fU);
    EXPECT_EQ(frames[2].object, "/lib/x86_64-linux-gnu/libc.so.6");
    EXPECT_EQ(frames[2].offset, 0x3c050U);

    EXPECT_EQ(frames[3].object, "/home/u/my \"proj\"/_native.cpython-314-x86_64-linux-gnu.so");
    EXPECT_EQ(frames[3].function, "native::crash(int*)");
    EXPECT_EQ(frames[3].function_offset, 0x11U);
    EXPECT_EQ(frames[3].offset, 0x1131U);
    EXPECT_EQ(frames[4].offset, 0x1200U);
    EXPECT_FALSE(frames[5].function);  // before its symbol: no function offset to give
    EXPECT_EQ(frames[5].offset, 0x1300U);

    EXPECT_EQ(frames[6].object, "");
    EXPECT_EQ(frames[6].offset, 0x7f3a00001234U);

    EXPECT_EQ(frames[7].function, "_PyObject_MakeTpCall");
    EXPECT_EQ(frames[7].offset, 0x5580a19e7a2bU - (0x5580a1a4dc4fU - 0x2b1c4fU));
    EXPECT_EQ(frames[8].function, "ffi_call");
    EXPECT_EQ(frames[8].offset, 0U);  // no frame of libffi says its bias
}

TEST(FaulthandlerCStack, ReadsAnExecutableWithoutBiasAndATruncatedStack) {
    std::string text =
        "Fatal Python error: Aborted\n\n"
        "Current thread 0x00007f0000000001 (most recent call first):\n"
        "  <no Python frame>\n\n"
        "Current thread's C stack trace (most recent call first):\n"
        "  Binary file \"/opt/py/bin/python3.14\" [0x4d5e6f]\n";
    for (int i = 0; i < 31; ++i) {
        text += "  Binary file \"/opt/py/bin/python3.14\", at PyEval_EvalCode+0x9a [0x4e0f1a]\n";
    }
    text += "  <truncated rest of calls>\n";
    auto thread = parse_faulthandler_c_stack(text);
    ASSERT_TRUE(thread);
    EXPECT_TRUE(thread->truncated);
    EXPECT_EQ(thread->name, "");
    EXPECT_EQ(thread->pthread, 0x7f0000000001U);
    ASSERT_EQ(thread->frames.size(), 32U);
    EXPECT_EQ(thread->frames[0].offset, 0x4d5e6fU);
    EXPECT_FALSE(thread->frames[0].function);
    EXPECT_EQ(thread->frames[31].offset, 0x4e0f1aU);  // a bias of 0 places named frames too
}

TEST(FaulthandlerCStack, FindsNothingWithoutFrames) {
    EXPECT_FALSE(parse_faulthandler_c_stack(""));
    EXPECT_FALSE(
        parse_faulthandler_c_stack("Fatal Python error: Segmentation fault\n\n"
                                   "Current thread 0x00007f0000000001 (most recent call first):\n"
                                   "  File \"/x.py\", line 1 in <module>\n"));
    for (const char* none :
         {"  <cannot get C stack on this system>\n", "  <system returned no stack trace>\n"}) {
        EXPECT_FALSE(parse_faulthandler_c_stack(
            std::string("Current thread's C stack trace (most recent call first):\n") + none));
    }
}

TEST(FaulthandlerCStack, ReadsADumpThatIsNoCrash) {
    // faulthandler.dump_c_stack() called by the program: a section with no fatal error.
    auto thread = parse_faulthandler_c_stack(
        "Current thread's C stack trace (most recent call first):\n"
        "  Binary file \"/usr/bin/python3.14\", at +0x10 [0x5580a179c010]\n"
        "  Binary file \"/usr/bin/python3.14\", at broken [0x5580a179c020]\n"
        "  Binary file \"/usr/bin/python3.14\", at +0x30 [0x5580a179c030]\n");
    ASSERT_TRUE(thread);
    EXPECT_FALSE(thread->crashed);
    EXPECT_EQ(thread->frames.size(), 1U);  // the section ends at its first line that is no frame
}

}  // namespace
}  // namespace blackbox::native
