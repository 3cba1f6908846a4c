#include <algorithm>
#include <array>
#include <zlib.h>

#include <blackbox/serve/request_body.hpp>

namespace blackbox::serve {

namespace {

// The budget is charged ahead in steps of this much, not per piece.
constexpr std::size_t kChargeStep = 64 * 1024;
// zlib's output buffer: how far decompression may run past the limit before it stops.
constexpr std::size_t kInflateBuffer = 64 * 1024;
// zlib reads a gzip or a zlib header by itself with this window.
constexpr int kAnyHeaderWindow = 15 + 32;

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x | 0x20) == (y | 0x20);
           });
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

struct RequestBody::Inflater {
    z_stream stream{};
    bool ended = false;  // the compressed stream's end was read
    std::array<unsigned char, kInflateBuffer> out{};

    Inflater() {
        if (inflateInit2(&stream, kAnyHeaderWindow) != Z_OK) {
            throw std::bad_alloc();
        }
    }
    ~Inflater() { inflateEnd(&stream); }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
};

std::optional<RequestBody::Encoding> RequestBody::encoding(std::string_view content_encoding) {
    const auto name = trimmed(content_encoding);
    if (name.empty() || equals_ignoring_case(name, "identity")) {
        return Encoding::identity;
    }
    if (equals_ignoring_case(name, "gzip") || equals_ignoring_case(name, "x-gzip")) {
        return Encoding::gzip;
    }
    if (equals_ignoring_case(name, "deflate")) {
        return Encoding::deflate;
    }
    return std::nullopt;
}

RequestBody::RequestBody(Encoding encoding, std::size_t max_bytes, BodyBudget& budget,
                         std::optional<std::size_t> declared)
    : max_bytes_(max_bytes), budget_(budget) {
    if (encoding != Encoding::identity) {
        inflater_ = std::make_unique<Inflater>();
        return;
    }
    if (declared) {
        if (*declared > max_bytes_) {
            refuse(State::too_large);
        } else if (!budget_.take(*declared)) {
            refuse(State::busy);
        } else {
            charged_ = *declared;
            kept_.reserve(*declared);
        }
    }
}

RequestBody::~RequestBody() {
    budget_.give_back(charged_);
}

void RequestBody::refuse(State state) {
    state_ = state;
    kept_ = std::string();  // its memory too
    inflater_.reset();
    budget_.give_back(charged_);
    charged_ = 0;
}

bool RequestBody::keep(std::string_view bytes) {
    const std::size_t wanted = kept_.size() + bytes.size();
    if (wanted > max_bytes_) {
        refuse(State::too_large);
        return false;
    }
    if (wanted > charged_) {
        const std::size_t more =
            std::min(std::max(wanted - charged_, kChargeStep), max_bytes_ - charged_);
        if (!budget_.take(more)) {
            refuse(State::busy);
            return false;
        }
        charged_ += more;
    }
    kept_.append(bytes);
    return true;
}

bool RequestBody::inflate_piece(std::string_view piece) {
    auto& z = inflater_->stream;
    if (inflater_->ended) {
        // Bytes after the end of the compressed stream: not one stream.
        refuse(State::malformed);
        return false;
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    z.avail_in = static_cast<uInt>(piece.size());
    while (true) {
        z.next_out = inflater_->out.data();
        z.avail_out = static_cast<uInt>(inflater_->out.size());
        const int status = inflate(&z, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
            refuse(State::malformed);
            return false;
        }
        const std::size_t made = inflater_->out.size() - z.avail_out;
        if (made > 0 && !keep({reinterpret_cast<const char*>(inflater_->out.data()), made})) {
            return false;
        }
        if (status == Z_STREAM_END) {
            inflater_->ended = true;
            if (z.avail_in > 0) {
                refuse(State::malformed);
                return false;
            }
            return true;
        }
        // zlib stops when it has read everything and has nothing left to write.
        if (z.avail_in == 0 && z.avail_out > 0) {
            return true;
        }
        if (status == Z_BUF_ERROR && made == 0) {
            return true;  // no progress possible without more input
        }
    }
}

bool RequestBody::append(std::string_view piece) {
    if (state_ != State::reading) {
        return false;
    }
    // zlib counts in uInt; the HTTP library's pieces are far smaller, but stay safe.
    constexpr std::size_t kMaxFeed = 1u << 30;
    while (!piece.empty()) {
        const auto part = piece.substr(0, kMaxFeed);
        piece.remove_prefix(part.size());
        if (!(inflater_ ? inflate_piece(part) : keep(part))) {
            return false;
        }
    }
    return true;
}

bool RequestBody::finish() {
    // A compressed stream cut short is refused; no body at all is an empty one.
    if (state_ == State::reading && inflater_ && !inflater_->ended &&
        inflater_->stream.total_in > 0) {
        refuse(State::malformed);
    }
    if (state_ != State::reading) {
        return false;
    }
    state_ = State::complete;
    inflater_.reset();
    return true;
}

}  // namespace blackbox::serve
