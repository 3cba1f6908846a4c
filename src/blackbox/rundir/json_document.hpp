#pragma once

// The JSON documents of a run directory (run.json, end.json, attempts.json, postmortem.json):
// written whole through a temporary renamed over their name, read back bounded and without
// following links (docs/formats/run-directory.md, "A run directory is untrusted").

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/base/directory.hpp>

namespace blackbox::rundir {

// The bound of what is read of a document: far above any real file, far below what would hurt.
inline constexpr std::size_t kMaxJsonDocumentBytes = 16 * 1024 * 1024;

// The JSON object at `path`; null when the file is missing, and null with a warning in
// `warnings` when it cannot be read or is not a JSON object. Never throws.
nlohmann::json read_json_document(const std::filesystem::path& path,
                                  std::vector<std::string>& warnings);

// Writes `doc` (indented, UTF-8 however broken its strings) as `name` in `run_dir`, atomically:
// 0, or the errno of the failure. Never throws.
int write_json_document(const base::Directory& run_dir, const char* name,
                        const nlohmann::json& doc) noexcept;

}  // namespace blackbox::rundir
