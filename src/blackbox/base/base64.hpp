#pragma once

// Base64 (RFC 4648, with padding) and SHA-256, through OpenSSL: what a self-contained page needs
// to embed binary data as text and to name its own scripts in a Content-Security-Policy.

#include <string>
#include <string_view>

namespace blackbox::base {

std::string base64(std::string_view data);

// The inverse (tests and tools). Throws Error on text that is not padded base64.
std::string unbase64(std::string_view text);

// The raw 32-byte SHA-256 digest of `data`.
std::string sha256(std::string_view data);

}  // namespace blackbox::base
