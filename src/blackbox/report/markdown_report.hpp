#pragma once

// The Markdown summary (`--md FILE`, appended to $GITHUB_STEP_SUMMARY when that is set): the
// verdict and counts, each crash with its cause and culprit, the slowest and the most
// memory-hungry tests. Node ids and texts are untrusted: they go into code spans whose fences
// are longer than any backtick run inside, with table pipes and newlines neutralised.

#include <filesystem>
#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

// A test is memory-hungry by what it added, not by what its process held: the larger of its
// process's peak over its RSS at the test's start (the plugin's exact figures) and its tree's
// peak over the tree at its start without double counting (tree_pss_added_bytes). Listed only
// from this much (`blackbox run/report --hungry-from`); with none, the section is left out.
inline constexpr std::int64_t kHungryFrom = 10LL * 1024 * 1024;

struct MarkdownOptions {
    std::size_t top = 5;                     // tests per list
    std::int64_t hungry_from = kHungryFrom;  // bytes
};

std::string markdown_summary(const postmortem::RunModel& run, const MarkdownOptions& options = {});

// A code span that shows `text` literally, also inside a table cell.
std::string code_span(std::string_view text);

// Writes `path` atomically; with `append`, adds to its end instead (a step summary file).
void write_markdown_file(const postmortem::RunModel& run, const std::filesystem::path& path,
                         bool append = false, const MarkdownOptions& options = {});

}  // namespace blackbox::report
