// A request's body as the server reads it (serve/request_body.hpp): any bytes, any encoding,
// cut into any pieces, under any body limit and shared budget. It never keeps more than its
// limit, gives its budget back whole, and a body it compressed itself comes back exactly (or is
// refused as too large when it inflates past the limit).
//
// The input's first byte chooses the encoding (and whether the rest is sent as it is or
// gzipped here first), the second the limit, the third the budget, the fourth how the bytes
// are cut into pieces; the rest is the body.

#include <blackbox/base/gzip.hpp>
#include <blackbox/serve/body_budget.hpp>
#include <blackbox/serve/request_body.hpp>

#include "fuzz_input.hpp"

using namespace blackbox;
using serve::RequestBody;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) {
        return 0;
    }
    const std::uint8_t mode = data[0];
    const std::size_t limit = (std::size_t{data[1]} + 1) * 257;
    const std::size_t budget_bytes = (std::size_t{data[2]} + 1) * 1024;
    const std::size_t piece = std::size_t{data[3]} % 61 + 1;
    const auto raw = fuzz::as_text(data + 4, size - 4);

    const bool compress_here = (mode & 4) != 0;
    const auto encoding = compress_here || (mode & 3) == 1 ? RequestBody::Encoding::gzip
                          : (mode & 3) == 2                ? RequestBody::Encoding::deflate
                                                           : RequestBody::Encoding::identity;
    const std::string sent = compress_here ? base::gzip(raw, 1) : std::string(raw);
    const bool declare = (mode & 8) != 0;

    serve::BodyBudget budget(budget_bytes);
    std::string body;
    RequestBody::State state = RequestBody::State::reading;
    {
        RequestBody request(encoding, limit, budget,
                            declare ? std::optional(sent.size()) : std::nullopt);
        std::string_view rest = sent;
        while (!rest.empty() && request.state() == RequestBody::State::reading) {
            auto part = rest.substr(0, piece);
            rest.remove_prefix(part.size());
            request.append(part);
            fuzz::check(request.size() <= limit, "a body kept more than its limit");
            fuzz::check(budget.left() <= budget_bytes, "the budget grew");
        }
        if (request.state() == RequestBody::State::reading) {
            request.finish();
        }
        state = request.state();
        fuzz::check(state != RequestBody::State::reading, "a finished body is still reading");
        if (state == RequestBody::State::complete) {
            body = request.take();
        } else {
            fuzz::check(request.size() == 0, "a refused body kept bytes");
        }
    }
    fuzz::check(budget.left() == budget_bytes, "a body did not give its budget back");
    if (state == RequestBody::State::complete) {
        fuzz::check(body.size() <= limit, "a complete body is past its limit");
    }
    if (compress_here) {
        if (state == RequestBody::State::complete) {
            fuzz::check(body == raw, "a gzipped body did not come back as it was");
        } else if (state == RequestBody::State::malformed) {
            fuzz::fail("a body gzipped here was called malformed");
        } else if (state == RequestBody::State::too_large) {
            fuzz::check(raw.size() > limit, "a body within the limit was called too large");
        }
    } else if (encoding == RequestBody::Encoding::identity &&
               state == RequestBody::State::complete) {
        fuzz::check(body == raw, "an identity body changed");
    }
    return 0;
}
