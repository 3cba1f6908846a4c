#include "test_data.hpp"

namespace blackbox::testing {

std::filesystem::path test_data() {
    return BLACKBOX_TEST_DATA;
}

std::filesystem::path native_probe() {
    return BLACKBOX_NATIVE_PROBE;
}

std::filesystem::path native_probe_stripped() {
    return BLACKBOX_NATIVE_PROBE_STRIPPED;
}

std::filesystem::path native_probe_debuglinked() {
    return BLACKBOX_NATIVE_PROBE_LINKED;
}

}  // namespace blackbox::testing
