#pragma once

// A process's `.lost` file (lost/<stem>.lost, docs/formats/journal.md): the plugin writes it,
// into room it reserved when it started, while its journal cannot be written; it says the loss
// was made good ("recovered") once writing worked again.

#include <optional>
#include <string>
#include <vector>

#include <blackbox/journal/process_files.hpp>
#include <blackbox/journal/process_replay.hpp>

namespace blackbox::journal {

// The loss the `.lost` file of `files` says was never made good; nullopt when there is no such
// file, when it was never written (the reserved room is zeros) or when the loss was recovered.
// A file that cannot be read adds a warning. Never throws.
std::optional<JournalLoss> read_unrecovered_loss(const ProcessFiles& files,
                                                 std::vector<std::string>& warnings);

}  // namespace blackbox::journal
