#pragma once

// One outcome word per test from its phase reports, as pytest's terminal counts them.

#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// "passed", "failed", "skipped", "xfailed", "xpassed", "error", or "not_run" when no phase
// reported. A failed setup or teardown is an "error" (a test that passed and then failed in
// teardown is one error, not a pass and an error); crashes are set by attribution, not here.
std::string derive_outcome(const TestResult& test);

}  // namespace blackbox::postmortem
