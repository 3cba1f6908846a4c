// A C++ library whose exception escapes a noexcept function: std::terminate, then abort(). Loaded
// with ctypes by the native-stack tests; its frames must come out demangled.
#include <stdexcept>

namespace native_demo {

struct Thrower {
    __attribute__((noinline)) static int fail(int depth) {
        if (depth > 0) {
            return fail(depth - 1) + 1;
        }
        throw std::runtime_error("escapes a noexcept function");
    }
};

__attribute__((noinline)) int call_without_escape(int depth) noexcept {
    return Thrower::fail(depth);
}

}  // namespace native_demo

extern "C" int terminate_from_cpp(void) {
    return native_demo::call_without_escape(2);
}
