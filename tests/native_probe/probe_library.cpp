// A small shared object for the symbolizer's unit tests (tests/unit/native/symbolizer_test.cpp):
// the build makes it with line information, and a copy stripped of everything but what the
// dynamic loader needs. Its one function of interest is file-local, so that only the full
// symbol table (.symtab, which the stripped copy lacks) can name it.

#include <cstdint>

// clang-format off
static constexpr int kHiddenFirstLine = __LINE__ + 1;
static int probe_hidden(int value) {
    int sum = 0;
    for (int i = 0; i < value; ++i) {
        sum += i * value;
    }
    return sum;
}
static constexpr int kHiddenLastLine = __LINE__ - 1;
// clang-format on

extern "C" {

// The file-local function's address, for a test to symbolize.
__attribute__((visibility("default"))) std::uintptr_t blackbox_probe_hidden_address() {
    return reinterpret_cast<std::uintptr_t>(&probe_hidden);
}

// The lines the function spans in this file.
__attribute__((visibility("default"))) int blackbox_probe_hidden_first_line() {
    return kHiddenFirstLine;
}
__attribute__((visibility("default"))) int blackbox_probe_hidden_last_line() {
    return kHiddenLastLine;
}

// Calls it, so that it is code like any other.
__attribute__((visibility("default"))) int blackbox_probe_call(int value) {
    return probe_hidden(value);
}
}
