#pragma once

// One parsed journal record, read in place (no copy of its strings). Valid only during the
// callback that received it: the reader reuses its parser for the next line.

#include <cstdint>
#include <optional>
#include <simdjson.h>
#include <string_view>

#include <nlohmann/json.hpp>

#include <blackbox/base/saturating.hpp>

namespace blackbox::journal {

using base::kMaxFigure;

class Record {
  public:
    explicit Record(simdjson::dom::object object) noexcept : object_(object) {}

    // The record type (`ev`); the reader only delivers records that have one.
    std::string_view ev() const noexcept { return string("ev").value_or(std::string_view()); }

    // The value at `key` when it has that type; nullopt when absent or of another type.
    std::optional<std::string_view> string(std::string_view key) const noexcept;
    std::optional<std::int64_t> integer(std::string_view key) const noexcept;
    std::optional<double> number(std::string_view key) const noexcept;  // integer or float
    // A size in bytes or a count: an integer within 0 .. kMaxFigure, else nullopt (a figure out
    // of that range is a broken or crafted journal: absent, so that sums of figures stay sums).
    std::optional<std::int64_t> figure(std::string_view key) const noexcept;
    // A difference of sizes (gc_freed): an integer within -kMaxFigure .. kMaxFigure.
    std::optional<std::int64_t> signed_figure(std::string_view key) const noexcept;
    std::optional<bool> boolean(std::string_view key) const noexcept;
    bool has(std::string_view key) const noexcept;

    // The name (node id, file name: bytes to the kernel) at `key`: the exact bytes from
    // `<key>_bytes` (base64) when the writer gave them, because the name is not UTF-8, else the
    // string at `key` (docs/formats/journal.md, "Names"); nullopt when there is neither.
    std::optional<std::string> name(std::string_view key) const;

    // The value at `key` as a JSON value (null when absent), for the rare structured fields.
    nlohmann::json json(std::string_view key) const;

    // The whole record as a JSON value.
    nlohmann::json to_json() const;

  private:
    simdjson::dom::object object_;
};

}  // namespace blackbox::journal
