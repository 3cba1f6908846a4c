#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <simdjson.h>
#include <vector>

#include <blackbox/wire/field_reader.hpp>
#include <blackbox/wire/json_body.hpp>
#include <blackbox/wire/rows_chunk_reader.hpp>
#include <blackbox/wire/upload_rows.hpp>

namespace blackbox::wire {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A parser keeps buffers of about 13 bytes per byte of the largest body it read (its tape, its
// strings, its structural indexes). Parsers are lent from a pool of at most kKeptParsers, each
// kept only when it read at most kKeptCapacity: the server's memory stays bounded (about 3 MiB a
// kept parser) however many workers it has, while a run of 200 tests a chunk reuses them. A
// push's 1 MiB chunks pay an allocation each.
constexpr std::size_t kKeptCapacity = 256 << 10;
constexpr std::size_t kKeptParsers = 4;  // parsing is CPU-bound: more at once than cores is idle

class ParserPool {
  public:
    // A parser for a body of `body_size` bytes that refuses documents nested deeper than
    // parse_json_body accepts. Throws std::bad_alloc.
    std::unique_ptr<simdjson::dom::parser> take(std::size_t body_size) {
        {
            std::lock_guard lock(mutex_);
            if (!kept_.empty()) {
                auto parser = std::move(kept_.back());
                kept_.pop_back();
                return parser;
            }
        }
        auto made = std::make_unique<simdjson::dom::parser>();
        if (made->allocate(std::min(body_size, kKeptCapacity), kMaxJsonDepth) !=
            simdjson::SUCCESS) {
            throw std::bad_alloc();
        }
        return made;
    }

    void give_back(std::unique_ptr<simdjson::dom::parser> parser) {
        if (parser->capacity() > kKeptCapacity) {
            return;
        }
        std::lock_guard lock(mutex_);
        if (kept_.size() < kKeptParsers) {
            kept_.push_back(std::move(parser));
        }
    }

  private:
    std::mutex mutex_;
    std::vector<std::unique_ptr<simdjson::dom::parser>> kept_;
};

ParserPool& parser_pool() {
    static ParserPool pool;
    return pool;
}

// A parser on loan from the pool, given back when the loan ends.
class LentParser {
  public:
    explicit LentParser(std::size_t body_size) : parser_(parser_pool().take(body_size)) {}
    ~LentParser() { parser_pool().give_back(std::move(parser_)); }
    LentParser(const LentParser&) = delete;
    LentParser& operator=(const LentParser&) = delete;
    simdjson::dom::parser& operator*() { return *parser_; }

  private:
    std::unique_ptr<simdjson::dom::parser> parser_;
};

// The values of an object's fields named in `keys` (at most kMaxKeys), read with the checks of
// FieldReader's reads of the same name. Any value FieldReader would refuse makes ok() false, and
// so does a key named twice (the strict reader keeps the last one; left to it) or a read of a
// key not in `keys` (a list out of step with its reader: the strict reader then answers).
class Fields {
  public:
    static constexpr std::size_t kMaxKeys = std::max(kTestRowKeys.size(), kMetricsRowKeys.size());

    template <std::size_t N>
    Fields(element value, const std::array<std::string_view, N>& keys)
        : keys_(keys.data()), key_count_(N) {
        static_assert(N <= kMaxKeys);
        simdjson::dom::object object;
        if (value.get_object().get(object) != simdjson::SUCCESS) {
            ok_ = false;
            return;
        }
        for (const auto field : object) {
            const auto* at = std::find(keys.begin(), keys.end(), field.key);
            if (at == keys.end()) {
                continue;
            }
            const auto index = static_cast<std::size_t>(at - keys.begin());
            if (present_[index]) {
                ok_ = false;
                return;
            }
            present_[index] = true;
            values_[index] = field.value;
        }
    }

    bool ok() const { return ok_; }
    // A value out of its range (field_ranges.hpp): the strict reader answers, naming it.
    void fail(std::string_view, std::string_view) { ok_ = false; }
    // Whether the key is absent or null.
    bool absent(std::string_view key) { return find(key) == nullptr; }

    std::string text(std::string_view key, std::size_t max = kMaxTextField) {
        auto value = optional_text(key, max);
        if (!value) {
            ok_ = false;
            return {};
        }
        return std::move(*value);
    }

    std::optional<std::string> optional_text(std::string_view key,
                                             std::size_t max = kMaxTextField) {
        const auto* value = find(key);
        if (value == nullptr) {
            return std::nullopt;
        }
        std::string_view text;
        // Valid UTF-8 (a \u escape may give a lone surrogate, which the strict reader refuses).
        if (value->get_string().get(text) != simdjson::SUCCESS || text.size() > max ||
            std::memchr(text.data(), '\0', text.size()) != nullptr ||
            !simdjson::validate_utf8(text.data(), text.size())) {
            ok_ = false;
            return std::nullopt;
        }
        return std::string(text);
    }

    std::string hash(std::string_view key) {
        auto value = text(key, 64);
        if (!is_hash(value)) {
            ok_ = false;
        }
        return value;
    }

    std::int64_t integer(std::string_view key) {
        auto value = optional_integer(key);
        if (!value) {
            ok_ = false;
            return 0;
        }
        return *value;
    }

    // An integer within int64 (simdjson types every other whole number uint64 or double).
    std::optional<std::int64_t> optional_integer(std::string_view key) {
        const auto* value = find(key);
        if (value == nullptr) {
            return std::nullopt;
        }
        if (value->type() != element_type::INT64) {
            ok_ = false;
            return std::nullopt;
        }
        return value->get_int64().value_unsafe();
    }

    // Every number as a double, as nlohmann's get<double>() converts it; simdjson refuses the
    // documents with a number out of a double's range, so it is always finite.
    std::optional<double> optional_number(std::string_view key) {
        const auto* value = find(key);
        if (value == nullptr) {
            return std::nullopt;
        }
        double number = 0;
        if (value->get_double().get(number) != simdjson::SUCCESS) {
            ok_ = false;
            return std::nullopt;
        }
        return number;
    }

    bool boolean(std::string_view key) {
        const auto* value = find(key);
        bool flag = false;
        if (value == nullptr || value->get_bool().get(flag) != simdjson::SUCCESS) {
            ok_ = false;
        }
        return flag;
    }

    // The array under `key` of at most kMaxUploadRows values; nullopt when the key is absent
    // or null.
    std::optional<simdjson::dom::array> rows(std::string_view key) {
        const auto* value = find(key);
        if (value == nullptr) {
            return std::nullopt;
        }
        simdjson::dom::array array;
        if (value->get_array().get(array) != simdjson::SUCCESS || array.size() > kMaxUploadRows) {
            ok_ = false;
            return std::nullopt;
        }
        return array;
    }

  private:
    const element* find(std::string_view key) {
        const auto* at = std::find(keys_, keys_ + key_count_, key);
        if (at == keys_ + key_count_) {
            ok_ = false;
            return nullptr;
        }
        const auto index = static_cast<std::size_t>(at - keys_);
        return present_[index] && !values_[index].is_null() ? &values_[index] : nullptr;
    }

    const std::string_view* keys_;
    std::size_t key_count_;
    std::array<element, kMaxKeys> values_;
    std::array<bool, kMaxKeys> present_{};
    bool ok_ = true;
};

constexpr std::array<std::string_view, 7> kChunkKeys = {"session_h", "env_h", "chunk",  "chunks",
                                                        "run",       "tests", "metrics"};

bool read_test(element value, store::TestRow& row) {
    Fields in(value, kTestRowKeys);
    row = read_test_row(in);
    return in.ok();
}

bool read_metrics(element value, store::MetricsRow& row) {
    Fields in(value, kMetricsRowKeys);
    row = read_metrics_row(in);
    return in.ok();
}

template <typename Row, typename Read>
bool read_rows(const std::optional<simdjson::dom::array>& array, std::vector<Row>& rows,
               Read read) {
    if (!array) {
        return true;
    }
    rows.resize(array->size());
    std::size_t i = 0;
    for (const auto value : *array) {
        if (!read(value, rows[i++])) {
            return false;
        }
    }
    return true;
}

std::optional<store::RunUpload> read_chunk(element root) {
    Fields in(root, kChunkKeys);
    store::RunUpload upload;
    upload.session_h = in.hash("session_h");
    upload.env_h = in.hash("env_h");
    const auto chunk = in.integer("chunk");
    const auto chunks = in.integer("chunks");
    if (!in.ok() || chunks < 1 || chunks > 1'000'000 || chunk < 0 || chunk >= chunks ||
        !in.absent("run")) {
        return std::nullopt;
    }
    upload.chunk = static_cast<std::size_t>(chunk);
    upload.chunks = static_cast<std::size_t>(chunks);
    const auto tests = in.rows("tests");
    const auto metrics = in.rows("metrics");
    if (!in.ok() || !read_rows(tests, upload.tests, read_test) ||
        !read_rows(metrics, upload.metrics, read_metrics)) {
        return std::nullopt;
    }
    return upload;
}

}  // namespace

std::optional<store::RunUpload> read_rows_chunk(std::string_view body) {
    std::optional<store::RunUpload> upload;
    try {
        LentParser parser(body.size());
        element root;
        // Copied into the parser's padded buffer (simdjson reads past its input's end).
        if ((*parser).parse(body.data(), body.size(), true).get(root) == simdjson::SUCCESS) {
            upload = read_chunk(root);
        }
    } catch (const std::bad_alloc&) {
        upload.reset();  // the strict reader's turn
    }
    return upload;
}

}  // namespace blackbox::wire
