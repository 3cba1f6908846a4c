// A request's body read piece by piece: a gzip bomb stops at the limit after a few pieces, a
// body past the limit or the shared budget is refused and let go of, and compressed streams
// that are not whole are refused.

#include <gtest/gtest.h>

#include <blackbox/base/gzip.hpp>
#include <blackbox/serve/request_body.hpp>

namespace blackbox::serve {
namespace {

using Encoding = RequestBody::Encoding;
using State = RequestBody::State;

constexpr std::size_t kLimit = 1 << 20;

// Feeds `data` in pieces of `piece` bytes until the body refuses one; returns the bytes fed.
std::size_t feed(RequestBody& body, std::string_view data, std::size_t piece) {
    std::size_t fed = 0;
    while (fed < data.size()) {
        const auto part = data.substr(fed, piece);
        fed += part.size();
        if (!body.append(part)) {
            break;
        }
    }
    return fed;
}

TEST(RequestBody, NamesTheEncodingsItReads) {
    EXPECT_EQ(RequestBody::encoding(""), Encoding::identity);
    EXPECT_EQ(RequestBody::encoding("identity"), Encoding::identity);
    EXPECT_EQ(RequestBody::encoding(" GZip "), Encoding::gzip);
    EXPECT_EQ(RequestBody::encoding("x-gzip"), Encoding::gzip);
    EXPECT_EQ(RequestBody::encoding("deflate"), Encoding::deflate);
    EXPECT_EQ(RequestBody::encoding("br"), std::nullopt);
    EXPECT_EQ(RequestBody::encoding("gzip, gzip"), std::nullopt);
}

TEST(RequestBody, KeepsAPlainBodyWholeAndGivesItsBudgetBack) {
    BodyBudget budget(4 * kLimit);
    {
        RequestBody body(Encoding::identity, kLimit, budget, 11);
        EXPECT_EQ(budget.left(), 4 * kLimit - 11);
        EXPECT_EQ(feed(body, "hello world", 3), 11u);
        ASSERT_TRUE(body.finish());
        EXPECT_EQ(body.take(), "hello world");
    }
    EXPECT_EQ(budget.left(), 4 * kLimit);
}

TEST(RequestBody, RefusesADeclaredLengthOverTheLimitBeforeAnyByte) {
    BodyBudget budget(4 * kLimit);
    RequestBody body(Encoding::identity, kLimit, budget, kLimit + 1);
    EXPECT_EQ(body.state(), State::too_large);
    EXPECT_EQ(budget.left(), 4 * kLimit);
}

TEST(RequestBody, RefusesAChunkedBodyAsSoonAsItPassesTheLimit) {
    // No declared length: a chunked body.
    BodyBudget budget(4 * kLimit);
    RequestBody body(Encoding::identity, kLimit, budget);
    const std::string data(3 * kLimit, 'x');
    const auto fed = feed(body, data, 16 * 1024);
    EXPECT_EQ(body.state(), State::too_large);
    EXPECT_LE(fed, kLimit + 16 * 1024);
    EXPECT_EQ(body.size(), 0u);  // let go of at once
    EXPECT_EQ(budget.left(), 4 * kLimit);
    EXPECT_FALSE(body.finish());
}

TEST(RequestBody, StopsAGzipBombAtTheLimitAfterAFewPieces) {
    // 64 MiB of zeros in about 64 KiB of gzip: the limit applies to what it decompresses to,
    // and decompression stops there, long before the end of the compressed stream.
    const std::string zeros(64u << 20, '\0');
    const auto bomb = base::gzip(zeros, 9);
    ASSERT_LT(bomb.size(), 256u * 1024);
    BodyBudget budget(kLimit);  // exactly one body's worth: never more is held
    RequestBody body(Encoding::gzip, kLimit, budget, bomb.size());
    const auto fed = feed(body, bomb, 4096);
    EXPECT_EQ(body.state(), State::too_large);
    EXPECT_LT(fed, bomb.size() / 8);
    EXPECT_EQ(body.size(), 0u);
    EXPECT_EQ(budget.left(), kLimit);
}

TEST(RequestBody, DecompressesGzipAndDeflateFedAByteAtATime) {
    const std::string text = R"({"session_h": "abc", "tests": [1, 2, 3]})";
    BodyBudget budget(kLimit);
    RequestBody gzipped(Encoding::gzip, kLimit, budget);
    feed(gzipped, base::gzip(text), 1);
    ASSERT_TRUE(gzipped.finish());
    EXPECT_EQ(gzipped.take(), text);
    // HTTP's "deflate" is the zlib format: the gzip stream's own deflate data with a zlib head
    // is what clients send; zlib reads either head.
    RequestBody deflated(Encoding::deflate, kLimit, budget);
    feed(deflated, base::gzip(text), 7);
    ASSERT_TRUE(deflated.finish());
    EXPECT_EQ(deflated.take(), text);
}

TEST(RequestBody, RefusesACompressedStreamThatIsNotWhole) {
    const auto whole = base::gzip(std::string(10'000, 'a'));
    BodyBudget budget(kLimit);
    RequestBody cut(Encoding::gzip, kLimit, budget);
    feed(cut, std::string_view(whole).substr(0, whole.size() / 2), 100);
    EXPECT_FALSE(cut.finish());
    EXPECT_EQ(cut.state(), State::malformed);

    RequestBody trailing(Encoding::gzip, kLimit, budget);
    feed(trailing, whole + "junk", 100);
    EXPECT_EQ(trailing.state(), State::malformed);

    RequestBody garbage(Encoding::gzip, kLimit, budget);
    feed(garbage, "this is not gzip at all", 100);
    EXPECT_EQ(garbage.state(), State::malformed);

    RequestBody empty(Encoding::gzip, kLimit, budget);  // no body at all: an empty one
    EXPECT_TRUE(empty.finish());
    EXPECT_EQ(empty.take(), "");
}

TEST(RequestBody, IsBusyWhenTheBodiesHeldTogetherReachTheBudget) {
    BodyBudget budget(kLimit + kLimit / 2);
    RequestBody first(Encoding::identity, kLimit, budget, kLimit);
    EXPECT_EQ(first.state(), State::reading);
    RequestBody declared(Encoding::identity, kLimit, budget, kLimit);
    EXPECT_EQ(declared.state(), State::busy);
    RequestBody chunked(Encoding::identity, kLimit, budget);
    feed(chunked, std::string(kLimit, 'x'), 64 * 1024);
    EXPECT_EQ(chunked.state(), State::busy);
    EXPECT_EQ(budget.left(), kLimit / 2);  // only the first's share remains taken
}

}  // namespace
}  // namespace blackbox::serve
