#pragma once

// pytest-monitor's EXECUTION_CONTEXTS row (docs/formats/metrics-db.md) from a run's execution
// context (run.json's `context` with the Python facts of the journals).

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace blackbox::store {

struct ExecutionContextRow {
    std::string env_h;  // md5 over the other columns, in this order, joined by '\n'
    std::int64_t cpu_count = 0;
    std::int64_t cpu_frequency_mhz = 0;  // 0 when unknown
    std::string cpu_type;                // the architecture, as platform.machine()
    std::string cpu_vendor;              // the CPU model string
    std::int64_t ram_total_mb = 0;       // MiB
    std::string machine_node;            // the host name
    std::string machine_type;            // the architecture
    std::string machine_arch;            // "64bit" or "32bit"
    std::string system_info;             // "Linux - 6.1.0-18-amd64"
    std::string python_info;             // "CPython 3.11.2 (main, Apr 28 2025, GCC 12.2.0)"
};

// The row of `context` (docs/formats/context.md); missing keys give 0 or "". With the plugin's
// `pytest_monitor` facts (the main process's `start` record), the row and its hash are
// pytest-monitor's own for the machine; without them (an older journal), as before: the hash
// over the columns joined by '\n'. Never throws (but md5_hex's blackbox::Error).
ExecutionContextRow execution_context_row(const nlohmann::json& context);

}  // namespace blackbox::store
