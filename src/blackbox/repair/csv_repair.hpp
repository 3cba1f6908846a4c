#pragma once

// Adds crashed tests to a pytest-csv report (columns id,module,name,file,doc,markers,status,
// message,duration by default; any other set of pytest-csv's columns is kept).

#include <optional>
#include <string>
#include <vector>

#include <blackbox/repair/crash_entry.hpp>
#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>

namespace blackbox::repair {

// For each crash whose node id has no row with status "failed" or "error", a row is appended
// in pytest-csv's words: status "failed" for a crash in the call (or in an unknown phase),
// "error" for one in setup or teardown (pytest-csv's status for a failure outside the call),
// message = the one-line crash message, module/name/file/… derived from the node id as
// pytest-csv derives them, columns the crash knows nothing about left empty. A test listed as
// passed keeps its row and gains an "error" row for the crash (after_reported_call(): it died
// in teardown), as pytest-csv writes a teardown error.
// The existing text is kept byte for byte; rows are appended with its line ending.
// `existing` nullopt creates the file with pytest-csv's default header. A torn quoted field,
// or a header without an `id` (or `nodeid`) column, gives Patch::error.
Patch repair_csv(const std::optional<std::string>& existing, const std::vector<CrashEntry>& crashes,
                 const RepairContext& context);

}  // namespace blackbox::repair
