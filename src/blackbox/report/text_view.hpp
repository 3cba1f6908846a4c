#pragma once

// The post-mortem for a terminal: the verdict, and for each crash the culprit, phase, cause,
// innermost frames and the command that re-runs just the culprit.

#include <string>
#include <vector>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

struct TextOptions {
    bool color = false;                 // ANSI colours (stderr is a terminal)
    std::size_t max_frames = 8;         // innermost frames shown per crash
    std::filesystem::path relative_to;  // show the run directory relative to this, when inside
    bool html_report = false;           // the run directory has report.html: say where
};

// How many innermost frames of a crash to show: those above pytest's own machinery (the test,
// its fixtures and what they called), at most `limit`, at least one.
std::size_t own_frames(const std::vector<std::string>& frames, std::size_t limit);

std::string postmortem_text(const postmortem::RunModel& run, const TextOptions& options);

}  // namespace blackbox::report
