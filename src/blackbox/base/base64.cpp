#include <algorithm>
#include <openssl/evp.h>

#include <blackbox/base/base64.hpp>
#include <blackbox/base/error.hpp>

namespace blackbox::base {

namespace {

// EVP_EncodeBlock takes an int length; larger inputs go in pieces of a multiple of 3 bytes, so
// the pieces' encodings concatenate without inner padding.
constexpr std::size_t kPiece = 3 * (1u << 28);

}  // namespace

std::string base64(std::string_view data) {
    std::string out;
    out.resize(4 * ((data.size() + 2) / 3));
    std::size_t written = 0;
    for (std::size_t at = 0; at < data.size(); at += kPiece) {
        auto piece = std::min(kPiece, data.size() - at);
        written += static_cast<std::size_t>(EVP_EncodeBlock(
            reinterpret_cast<unsigned char*>(out.data() + written),
            reinterpret_cast<const unsigned char*>(data.data() + at), static_cast<int>(piece)));
    }
    out.resize(written);
    return out;
}

std::string unbase64(std::string_view text) {
    if (text.size() % 4 != 0 || text.size() > (1u << 30)) {
        throw Error("not padded base64");
    }
    std::string out(text.size() / 4 * 3, '\0');
    int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (written < 0) {
        throw Error("not padded base64");
    }
    // EVP_DecodeBlock counts padding as data: drop the bytes it stands for.
    auto padding = static_cast<std::size_t>(
        std::count(text.end() - std::min<std::size_t>(2, text.size()), text.end(), '='));
    out.resize(static_cast<std::size_t>(written) - padding);
    return out;
}

std::string sha256(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        throw Error("OpenSSL cannot compute a SHA-256 digest");
    }
    return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace blackbox::base
