#pragma once

// The fields pytest-csv writes for one result, by column name, for the rows blackbox adds to a
// user's file (a crash a repair puts in, a test only the journals know that a merge adds).

#include <string>

#include <blackbox/repair/repair_context.hpp>

namespace blackbox::repair {

// One result as pytest-csv reports it: a row per report it writes.
struct CsvResult {
    std::string nodeid;
    std::string status;  // passed, failed, error, skipped, xfailed, xpassed
    std::string message;
    double duration = 0;  // seconds
};

// What pytest-csv writes under `column` for `result`; "" for the columns it fills from what the
// journals do not hold (doc, markers, parameters, properties). `success` is its
// str(bool(report.failed)): "True" for a failure, as pytest-csv writes it.
std::string csv_column(const std::string& column, const CsvResult& result,
                       const RepairContext& context);

}  // namespace blackbox::repair
