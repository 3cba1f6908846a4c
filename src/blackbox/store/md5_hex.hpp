#pragma once

// The md5 digest pytest-monitor identifies its rows with (ENV_H, SESSION_H): not for security,
// for compatibility.

#include <string>
#include <string_view>

namespace blackbox::store {

// The 32 lower-case hex digits of the md5 of `data`. Throws blackbox::Error when OpenSSL fails.
std::string md5_hex(std::string_view data);

}  // namespace blackbox::store
