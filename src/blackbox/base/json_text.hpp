#pragma once

// The one way JSON values become text, and names (bytes to the kernel) in JSON. Strings in a
// value may hold untrusted bytes (node ids, captured output, tracebacks, file names, messages,
// report files): nlohmann's dump() throws on invalid UTF-8 unless told otherwise, and one stray
// byte must never cost a whole output.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace blackbox::base {

enum class Ascii {
    no,   // UTF-8 as it is (files, HTTP)
    yes,  // everything past ASCII as \uXXXX: for a terminal, where DEL, C1 controls and
          // bidirectional overrides would otherwise act
};

// `value` as JSON text (`indent` as nlohmann's dump: -1 for one line, 0 or more for pretty
// output); each invalid UTF-8 byte of a string becomes U+FFFD. Never throws for encoding.
std::string json_text(const nlohmann::json& value, int indent = -1, Ascii ascii = Ascii::no);
std::string json_text(const nlohmann::ordered_json& value, int indent = -1,
                      Ascii ascii = Ascii::no);

// Names in JSON (docs/formats/journal.md, "Names"): `object[key]` is the name's text form
// (base::name_text), and when the name is not UTF-8, `object[key + "_bytes"]` holds its exact
// bytes in base64. `object` must be an object (or null, which becomes one).
void put_name(nlohmann::json& object, const std::string& key, std::string_view bytes);
// The same for a list of names: `key` the text forms, `key + "_bytes"` every name in base64
// when any of them is not UTF-8.
void put_names(nlohmann::json& object, const std::string& key,
               const std::vector<std::string>& names);

// The name at `key` as put_name wrote it: the bytes of `key + "_bytes"` when it is valid
// base64, else the string at `key`; nullopt when neither is there.
std::optional<std::string> name_at(const nlohmann::json& object, const std::string& key);

}  // namespace blackbox::base
