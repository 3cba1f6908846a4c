#pragma once

// The JUnit XML report (`--junitxml FILE`, docs/formats/report-junit.md): every collected test
// once, merged over all attempts — passed, failed, skipped, crashed (an <error> naming cause,
// signal, phase and memory, the Python stack in its body, the output captured up to the death
// in system-out/system-err) and not reached (skipped, with the reason). Shaped as pytest writes
// it (xunit2), which GitHub, GitLab and Jenkins read.

#include <filesystem>
#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

std::string junit_xml(const postmortem::RunModel& run);

// Writes to a temporary file beside `path` and renames it. Throws blackbox::Error.
void write_junit_file(const postmortem::RunModel& run, const std::filesystem::path& path);

// pytest's names for a node id: ("tests.test_x.TestY", "test_z[p]").
std::pair<std::string, std::string> junit_names(const std::string& nodeid);

}  // namespace blackbox::report
