#pragma once

// Adds crashed tests to a JUnit XML file as pytest's --junitxml writes it:
// <testsuites><testsuite name="pytest" errors failures skipped tests time timestamp hostname>
// <testcase classname name time>…</testcase>…</testsuite></testsuites>.

#include <optional>
#include <string>
#include <vector>

#include <blackbox/repair/crash_entry.hpp>
#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>

namespace blackbox::repair {

// For each crash, with classname and name derived from the node id as pytest derives them:
// - no such testcase: one is appended to the first suite, holding
//   <error message="crashed in call: segfault (SIGSEGV)">details and traceback</error>;
//   the suite's `errors` and `tests` grow by one;
// - a testcase with a <failure> or <error> already: left alone, except that xdist's
//   placeholder ("worker 'gw0' crashed while running …") is replaced by the crash's own
//   message and details (counts unchanged);
// - a testcase without one (pytest wrote the passed call, the crash came in teardown): the
//   <error> is added to it and `errors` and `tests` grow by one, as pytest counts a teardown
//   error after a passed call.
// `existing` nullopt creates a file like pytest's. A file that is not XML, or whose root is
// neither <testsuites> nor <testsuite>, gives Patch::error. The rest of the document is
// written back without reformatting (pugixml: "<x />" becomes "<x/>", and ">" in attribute
// values is no longer escaped; the tree is the same).
Patch repair_junit(const std::optional<std::string>& existing,
                   const std::vector<CrashEntry>& crashes, const RepairContext& context);

}  // namespace blackbox::repair
