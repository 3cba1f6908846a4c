#pragma once

// The JUnit XML files the attempts of a restarted run wrote, made one that holds every test of
// the run: pytest's --junitxml is written anew by each attempt (and not at all by one that
// dies), so the last attempt's file alone holds only its own tests.

#include <string>
#include <vector>

#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>
#include <blackbox/repair/test_entry.hpp>

namespace blackbox::repair {

// The first attempt's document is the base (its declaration, root and first suite with its
// attributes); the test cases of the others move into that suite, then every test of `tests`
// that none of the files holds (matched by classname and name, as pytest names them) is
// appended in pytest's xunit2 words:
//   passed, xpassed: <testcase classname name time/>
//   failed:  <failure message="the E line">the failure text</failure>
//   error:   <error message='failed on setup with "the E line"'>the failure text</error>
//   skipped: <skipped type="pytest.skip" message="reason"/>
//   xfailed: <skipped type="pytest.xfail" message="reason"/>
//   not run: <skipped type="blackbox.not_run" message="not run: …" or "interrupted: …"/>
// with <properties> for what the test recorded (record_property). The suite's `tests`,
// `failures`, `errors`, `skipped` and `time` are the sums of the attempts' suites plus the added
// tests, counted as pytest counts them (a teardown error after a passed call is two tests).
// Without any file, a document like pytest's.
// A file that is not JUnit XML gives Patch::error. `added` counts the tests added.
Patch merge_junit(const std::vector<std::string>& attempts, const std::vector<TestEntry>& tests,
                  const RepairContext& context);

// `text` (a JUnit XML file) with the test cases of each suite in the order of `nodeids` (the
// run's collection order); test cases it does not name keep their order, after the others.
// Text that is not XML comes back as it is.
std::string order_junit(const std::string& text, const std::vector<std::string>& nodeids);

}  // namespace blackbox::repair
