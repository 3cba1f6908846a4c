#include "test_data.hpp"

namespace blackbox::testing {

std::filesystem::path test_data() {
    return BLACKBOX_TEST_DATA;
}

}  // namespace blackbox::testing
