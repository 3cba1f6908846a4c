#pragma once

// Parses what Python's faulthandler wrote into a process's faulthandler file
// (docs/formats/journal.md). A fatal error ("Fatal Python error: Segmentation fault") names the
// signal; dumps on request (a watchdog's signal) have only thread stacks.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blackbox::journal {

struct FaulthandlerDump {
    bool fatal = false;               // a "Fatal Python error" block (the process died of it)
    std::string error;                // "Segmentation fault"; empty for a dump on request
    std::optional<int> signal;        // the signal the error names, when it names one
    std::string text;                 // the whole block, trailing blank lines removed (bounded)
    std::vector<std::string> frames;  // the current thread's frames, innermost first
};

// A line starting with this is appended to the file before a dump is requested by signal.
inline constexpr std::string_view kRequestMarker = "# blackbox: ";

// Longest stack text kept; a deep recursion can dump thousands of frames.
inline constexpr std::size_t kMaxDumpBytes = 64 * 1024;

// The last dump in the file (the one closest to the death), or nullopt when there is none.
std::optional<FaulthandlerDump> parse_last_dump(std::string_view text);

// The last dump in the faulthandler file at `path` (its last MiB read: the dumps closest to the
// death); nullopt when there is no file or no dump, with a warning when the file cannot be read.
std::optional<FaulthandlerDump> read_last_dump(const std::filesystem::path& path,
                                               std::vector<std::string>& warnings);

// The signal for faulthandler's error text ("Aborted" -> SIGABRT), if it names one.
std::optional<int> signal_for_fatal_error(std::string_view error);

}  // namespace blackbox::journal
