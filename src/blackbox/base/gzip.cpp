#include <algorithm>
#include <zlib.h>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/gzip.hpp>

namespace blackbox::base {

namespace {

constexpr int kGzipWindow = 15 + 16;  // zlib's way of asking for a gzip header and trailer
constexpr std::size_t kChunk = 256 * 1024;

// zlib counts in uInt; feeding at most this much at a time keeps any input size safe.
constexpr std::size_t kMaxFeed = 1u << 30;

}  // namespace

std::string gzip(std::string_view data, int level) {
    z_stream stream{};
    if (deflateInit2(&stream, level, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw Error("zlib cannot start compressing");
    }
    std::string out;
    out.reserve(data.size() / 4 + 64);
    const auto* next = reinterpret_cast<const Bytef*>(data.data());
    std::size_t left = data.size();
    int status = Z_OK;
    do {
        auto feed = std::min(left, kMaxFeed);
        stream.next_in = const_cast<Bytef*>(next);
        stream.avail_in = static_cast<uInt>(feed);
        next += feed;
        left -= feed;
        int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        do {
            auto used = out.size();
            out.resize(used + kChunk);
            stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
            stream.avail_out = static_cast<uInt>(kChunk);
            status = deflate(&stream, flush);
            out.resize(used + kChunk - stream.avail_out);
        } while (stream.avail_out == 0);
    } while (left > 0);
    deflateEnd(&stream);
    if (status != Z_STREAM_END) {
        throw Error("zlib could not finish compressing");
    }
    return out;
}

std::string gunzip(std::string_view data, std::size_t max_bytes) {
    z_stream stream{};
    if (inflateInit2(&stream, kGzipWindow) != Z_OK) {
        throw Error("zlib cannot start decompressing");
    }
    std::string out;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    int status = Z_OK;
    while (status == Z_OK) {
        auto used = out.size();
        out.resize(used + kChunk);
        stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
        stream.avail_out = static_cast<uInt>(kChunk);
        status = inflate(&stream, Z_NO_FLUSH);
        out.resize(used + kChunk - stream.avail_out);
        if (out.size() > max_bytes) {
            inflateEnd(&stream);
            throw Error(fmt::format("decompresses to more than {} bytes", max_bytes));
        }
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END) {
        throw Error("not a valid gzip stream");
    }
    return out;
}

}  // namespace blackbox::base
