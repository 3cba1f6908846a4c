#pragma once

// The post-mortem for a terminal: the verdict, and for each crash the culprit, phase, cause,
// innermost frames and the command that re-runs just the culprit.

#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

struct TextOptions {
    bool color = false;                 // ANSI colours (stderr is a terminal)
    std::size_t max_frames = 8;         // innermost frames shown per crash
    std::filesystem::path relative_to;  // show the run directory relative to this, when inside
};

std::string postmortem_text(const RunModel& run, const TextOptions& options);

}  // namespace blackbox::postmortem
