#pragma once

// gzip compression (RFC 1952, through zlib): what browsers decompress natively
// (`DecompressionStream("gzip")`), so a report can embed its data compressed.

#include <cstdint>
#include <string>
#include <string_view>

namespace blackbox::base {

// `data` as one gzip member. Throws Error only when zlib itself fails (out of memory).
std::string gzip(std::string_view data, int level = 6);

// The inverse. Throws Error on a stream that is not complete, valid gzip, and as soon as the
// output would exceed `max_bytes` (a small upload may decompress to gigabytes).
std::string gunzip(std::string_view data, std::size_t max_bytes = SIZE_MAX);

}  // namespace blackbox::base
