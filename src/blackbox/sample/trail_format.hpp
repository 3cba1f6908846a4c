#pragma once

// The JSON lines of samples.jsonl (docs/formats/samples.md): each record encoded as one
// complete line ending in '\n' (invalid UTF-8 in process names is replaced, never thrown on).
// The trail reader decodes them.

#include <string>

#include <blackbox/sample/records.hpp>

namespace blackbox::sample {

std::string encode_line(const SamplerHeader& header);
std::string encode_line(const Sample& sample);
std::string encode_line(const TopRecord& top);
std::string encode_line(const Note& note);

}  // namespace blackbox::sample
