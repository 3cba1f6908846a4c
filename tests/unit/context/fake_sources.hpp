#pragma once

// Sources made of recorded inputs: files, variables and command outputs given by the test,
// everything else unreadable (as on a locked-down Android device).

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/context/sources.hpp>

#include "../test_data.hpp"

namespace blackbox::context::testing {

// The content of a recorded file in tests/unit/data/context/; fails the test when missing.
inline std::string recorded(const std::string& name) {
    std::optional<std::string> text =
        base::read_file(blackbox::testing::test_data().string() + "/context/" + name);
    if (!text) {
        ADD_FAILURE() << "missing test data: " << name;
        return {};
    }
    return *text;
}

class FakeSources : public Sources {
  public:
    std::map<std::string, std::string> files;
    std::map<std::string, std::string> environment;
    std::map<std::vector<std::string>, std::string> outputs;  // argv -> stdout of a success
    std::optional<Uname> uts;
    std::optional<std::string> host;
    std::optional<int> online;
    std::optional<std::string> directory;
    mutable std::vector<std::vector<std::string>> commands_run;

    std::optional<std::string> read_file(const std::string& path) const override {
        return find(files, path);
    }
    std::optional<std::string> getenv(const std::string& name) const override {
        return find(environment, name);
    }
    std::optional<std::string> run(const std::vector<std::string>& argv) const override {
        commands_run.push_back(argv);
        return find(outputs, argv);
    }
    std::optional<Uname> uname() const override { return uts; }
    std::optional<std::string> hostname() const override { return host; }
    std::optional<int> online_cpus() const override { return online; }
    std::optional<std::string> cwd() const override { return directory; }

  private:
    template <typename Map, typename Key>
    static std::optional<std::string> find(const Map& map, const Key& key) {
        auto found = map.find(key);
        return found != map.end() ? std::optional<std::string>(found->second) : std::nullopt;
    }
};

}  // namespace blackbox::context::testing
