#pragma once

// The ingest's fast path: a chunk of rows (every chunk of a run but its head) read straight from
// the body's text into a RunUpload, without building a JSON tree first.
//
// It decides nothing about a body it does not take: it takes only a chunk that parse_json_body
// and parse_upload would both accept, giving the same upload, and declines everything else (a
// head chunk, small and once per run, and every body with any problem). The caller then reads a
// declined body with those two for their answer, so every refusal keeps its status and message.

#include <optional>
#include <string_view>

#include <blackbox/wire/run_upload.hpp>

namespace blackbox::wire {

// The upload of a well-formed chunk without a head (no "run", or "run": null), or nullopt.
// Never throws; safe to call from several threads at once (each has its own parser).
std::optional<store::RunUpload> read_rows_chunk(std::string_view body);

}  // namespace blackbox::wire
