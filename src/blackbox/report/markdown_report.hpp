#pragma once

// The Markdown summary (`--md FILE`, appended to $GITHUB_STEP_SUMMARY when that is set): the
// verdict and counts, each crash with its cause and culprit, the slowest and the most
// memory-hungry tests. Node ids and texts are untrusted: they go into code spans whose fences
// are longer than any backtick run inside, with table pipes and newlines neutralised.

#include <filesystem>
#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

std::string markdown_summary(const postmortem::RunModel& run, std::size_t top = 5);

// A code span that shows `text` literally, also inside a table cell.
std::string code_span(std::string_view text);

// Writes `path` atomically; with `append`, adds to its end instead (a step summary file).
void write_markdown_file(const postmortem::RunModel& run, const std::filesystem::path& path,
                         bool append = false);

}  // namespace blackbox::report
