#pragma once

// The machine as a recorder saw it: the facts `pytest --blackbox` writes into run.json under
// "context_facts" (docs/formats/run-directory.md), read back as Sources, so the execution context
// of a plugin-mode run is derived by the same gatherer as the supervisor's.
//
// What the facts do not hold reads as unreadable: a file missing from "files", a variable missing
// from "environ", a command missing from "commands" (it failed or timed out), a null or missing
// uname, hostname, online_cpus or cwd. A member of the wrong JSON type counts as missing.

#include <nlohmann/json.hpp>

#include <blackbox/context/sources.hpp>

namespace blackbox::context {

class RecordedSources final : public Sources {
  public:
    // Keeps a copy of `facts`; anything that is not an object reads as no facts at all.
    explicit RecordedSources(nlohmann::json facts);

    std::optional<std::string> read_file(const std::string& path) const override;
    std::optional<std::string> getenv(const std::string& name) const override;
    std::optional<std::string> run(const std::vector<std::string>& argv) const override;
    std::optional<Uname> uname() const override;
    std::optional<std::string> hostname() const override;
    std::optional<int> online_cpus() const override;
    std::optional<std::string> cwd() const override;

  private:
    nlohmann::json facts_;
};

// The execution context (docs/formats/context.md) the recorded facts describe. Never throws.
nlohmann::json context_from_facts(const nlohmann::json& facts);

}  // namespace blackbox::context
