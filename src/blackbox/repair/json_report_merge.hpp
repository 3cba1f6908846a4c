#pragma once

// The pytest-json-report files the attempts of a restarted run wrote, made one that holds every
// test of the run (numirias/pytest-json-report's format: created, duration, exitcode, root,
// environment, summary, collectors, tests, warnings).

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>
#include <blackbox/repair/test_entry.hpp>

namespace blackbox::repair {

// What the run knows that no single attempt's file does.
struct JsonReportRun {
    std::size_t collected = 0;       // items collected, the user's deselection included
    std::size_t deselected = 0;      // the user's own deselection (never what a restart skipped)
    int exitcode = 0;                // pytest's convention for the whole run
    std::set<std::string> selected;  // node ids of every test of the run
};

// The first attempt's object is the base (its created, root, environment); the `tests` of the
// others follow, then every test of `tests` no file holds, as pytest-json-report writes a test:
// {nodeid, lineno (null: unknown), outcome, keywords, setup, call, teardown} whose stages have
// `duration`, `outcome` and, for the stage that failed or skipped, `longrepr` (a test never
// reached or interrupted: a skipped setup whose longrepr says so). `collectors` and `warnings`
// are joined (a collector once, by node id; an item of the run loses the `deselected` flag a
// restart's resume gave it), `duration` is the attempts' sum, and `summary` is counted again
// from the tests (`total`, each outcome, `collected` and `deselected` from `run`), `exitcode`
// is the run's. The indentation is the first file's. A file that is not a JSON object with a
// `tests` list gives Patch::error.
Patch merge_json_report(const std::vector<std::string>& attempts,
                        const std::vector<TestEntry>& tests, const JsonReportRun& run,
                        const RepairContext& context);

// `text` (a pytest-json-report file) with its `tests` in the order of `nodeids` (the run's
// collection order); tests it does not name keep their order, after the others. Text that is
// not such a file comes back as it is.
std::string order_json_report(const std::string& text, const std::vector<std::string>& nodeids);

}  // namespace blackbox::repair
