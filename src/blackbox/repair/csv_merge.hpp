#pragma once

// The pytest-csv files the attempts of a restarted run wrote, made one that holds every test of
// the run (pytest-csv's rows: one per call, and one per setup or teardown that did not pass).

#include <string>
#include <vector>

#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>
#include <blackbox/repair/test_entry.hpp>

namespace blackbox::repair {

// The header is the first file's, then any column a later file adds (pytest-csv's columns
// built from markers, parameters or properties differ between sessions); every row keeps its
// values by column name. Every test of `tests` that no file lists gets the rows pytest-csv
// writes for it, in its words (`status` passed, failed, error, skipped, xfailed, xpassed;
// `message` the failure's line, the skip's "Skipped: …", the xfail reason; a test never reached
// or interrupted: skipped, "not run: …" or "interrupted: …"; `duration` the call's, or the failed
// phase's, as Python's str(float)); a teardown error after a passed call is two rows, as
// pytest-csv writes it. Rows use the first file's line ending (CRLF without a file, as Python's
// csv writer). A file that is not CSV, or has no `id` column, gives Patch::error.
Patch merge_csv(const std::vector<std::string>& attempts, const std::vector<TestEntry>& tests,
                const RepairContext& context);

// `text` (a pytest-csv file) with its rows in the order of `nodeids` (the run's collection
// order); rows of one test keep their order, rows it does not name come after the others. Text
// that is not such a file comes back as it is.
std::string order_csv(const std::string& text, const std::vector<std::string>& nodeids);

}  // namespace blackbox::repair
