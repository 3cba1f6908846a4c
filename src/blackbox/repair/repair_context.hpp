#pragma once

// The facts a repair writes into a report it creates from nothing: when, where, on which host.
// Taken once per postprocess; tests pass fixed values so created files are reproducible.

#include <string>

namespace blackbox::repair {

struct RepairContext {
    double created_unix = 0;  // seconds since the epoch (pytest-json-report's `created`)
    std::string timestamp;    // local time, ISO 8601 without zone (JUnit's `timestamp`)
    std::string root;         // the current directory (pytest-json-report's `root`)
    std::string hostname;     // JUnit's `hostname`
};

// Now, the current directory and this host.
RepairContext current_context();

}  // namespace blackbox::repair
