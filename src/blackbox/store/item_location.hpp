#pragma once

// Where a test lives and how pytest-monitor names it (ITEM_PATH, ITEM, ITEM_VARIANT,
// ITEM_FS_LOC, COMPONENT), from its collected-item record (docs/formats/journal.md). These are
// read again from the collected files at ingest rather than kept in the RunModel, which must
// stay small for a 100,000-test run.

#include <string>

#include <blackbox/journal/record.hpp>

namespace blackbox::store {

struct ItemLocation {
    std::string item_path;  // the module's dotted name (`tests.test_x`)
    std::string item;       // the function's name without parameters
    std::string variant;    // the name with its parameters (`test_p[10-10]`)
    std::string fs_loc;     // the module's file, relative to the rootdir
    std::string component;  // resolved by the plugin; "" when none
    bool monitored = true;  // false when pytest-monitor's markers exclude the test
};

// From a collected-item record; fields an older plugin did not write are derived from the
// node id (`file`, `func`, `variant`) or take their default (component "", monitored).
ItemLocation item_location(const journal::Record& item);

// For a test that no collected file lists (its process died before writing them): everything
// derived from the node id (`tests/test_x.py::TestA::test_p[1]`).
ItemLocation item_location(const std::string& nodeid);

}  // namespace blackbox::store
