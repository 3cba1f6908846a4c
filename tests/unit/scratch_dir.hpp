#pragma once

// A scratch directory for one unit test, removed afterwards. Named after the test; a
// parametrized test's '/' is flattened so that no parent directory outlives it.

#include <algorithm>
#include <filesystem>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

namespace blackbox::testing {

class ScratchDir {
  public:
    explicit ScratchDir(const std::string& kind = "unit")
        : path_(std::filesystem::temp_directory_path() /
                ("blackbox-" + kind + "-" + std::to_string(::getpid()) + "-" + test_name())) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() { std::filesystem::remove_all(path_); }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    static std::string test_name() {
        std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        std::replace(name.begin(), name.end(), '/', '_');
        return name;
    }

    std::filesystem::path path_;
};

}  // namespace blackbox::testing
