#pragma once

// A request's body as it arrives, piece by piece (any transfer encoding: the HTTP library hands
// over the bytes of a Content-Length or a chunked body alike), decompressed on the way when its
// Content-Encoding is gzip or deflate. What it keeps is bounded twice: by the server's body limit
// (on the decompressed size, however small the compressed one: a 6 MB gzip may hold 6 GiB of
// zeros) and by the budget shared by every body held at once. It never keeps a byte past either
// bound and never decompresses more than one output buffer past the limit. Independent of the
// HTTP library, so it is tested without a socket.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <blackbox/serve/body_budget.hpp>

namespace blackbox::serve {

class RequestBody {
  public:
    enum class Encoding { identity, gzip, deflate };
    enum class State {
        reading,    // more may come
        complete,   // finish() found a whole body
        too_large,  // past the body limit (413)
        malformed,  // a compressed stream that is not one, or ends early (400)
        busy,       // the shared budget is spent: the server holds too much already (503)
    };

    // The encoding a Content-Encoding header names ("" and "identity" are none; a list of
    // several is refused), nullopt for one this server does not read (415).
    static std::optional<Encoding> encoding(std::string_view content_encoding);

    // `max_bytes` bounds the body as kept (decompressed); `budget` (which must outlive the body)
    // is charged for what it keeps; `declared` is the Content-Length when one was sent, taken
    // from the budget at once for an uncompressed body.
    RequestBody(Encoding encoding, std::size_t max_bytes, BodyBudget& budget,
                std::optional<std::size_t> declared = std::nullopt);
    ~RequestBody();
    RequestBody(const RequestBody&) = delete;
    RequestBody& operator=(const RequestBody&) = delete;

    // Adds the next piece. False once the body is refused (state() says why; what was kept is
    // let go of at once); later pieces are then ignored.
    bool append(std::string_view piece);
    // The request ended: true when the body is whole (a compressed stream must have ended).
    bool finish();
    State state() const { return state_; }
    // The body as kept, taken out (after finish()). The budget stays charged until the
    // RequestBody is destroyed: keep it alive while the taken body is in use.
    std::string take() { return std::move(kept_); }
    // The bytes kept so far (decompressed).
    std::size_t size() const { return kept_.size(); }

  private:
    bool keep(std::string_view bytes);
    bool inflate_piece(std::string_view piece);
    void refuse(State state);

    struct Inflater;
    std::unique_ptr<Inflater> inflater_;
    std::size_t max_bytes_;
    BodyBudget& budget_;
    std::size_t charged_ = 0;  // taken from the budget
    std::string kept_;
    State state_ = State::reading;
};

}  // namespace blackbox::serve
