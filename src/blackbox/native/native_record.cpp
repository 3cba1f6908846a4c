#include <charconv>
#include <limits>
#include <set>
#include <string>
#include <utility>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/native/native_record.hpp>

namespace blackbox::native {

namespace {

constexpr std::string_view kDeletedSuffix = " (deleted)";

// "0x1f" (the writer's addresses and pthread_t), or nullopt.
std::optional<std::uint64_t> parse_prefixed_hex(std::string_view text) {
    if (text.size() < 3 || text.substr(0, 2) != "0x") {
        return std::nullopt;
    }
    return base::parse_hex_u64(text.substr(2));
}

// A decimal integer with an optional '-' (si_code is negative for signals sent by a process).
std::optional<std::int64_t> parse_signed(std::string_view text) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

template <typename Int>
std::optional<Int> narrow(std::optional<std::int64_t> value) {
    if (!value || *value < std::numeric_limits<Int>::min() ||
        *value > std::numeric_limits<Int>::max()) {
        return std::nullopt;
    }
    return static_cast<Int>(*value);
}

// The value of `key=` among the blank-separated words of `fields`, or nullopt.
std::optional<std::string_view> field(std::string_view fields, std::string_view key) {
    std::string_view word;
    while (base::next_word(fields, word)) {
        if (word.size() > key.size() && word.substr(0, key.size()) == key &&
            word[key.size()] == '=') {
            return word.substr(key.size() + 1);
        }
    }
    return std::nullopt;
}

bool has_word(std::string_view fields, std::string_view wanted) {
    std::string_view word;
    while (base::next_word(fields, word)) {
        if (word == wanted) {
            return true;
        }
    }
    return false;
}

std::optional<RawRecord> parse_record_line(std::string_view rest) {
    std::string_view kind;
    if (!base::next_word(rest, kind) || (kind != "fatal" && kind != "dump")) {
        return std::nullopt;
    }
    auto id = narrow<long>(parse_signed(field(rest, "id").value_or("")));
    if (!id) {
        return std::nullopt;
    }
    RawRecord record;
    record.kind = kind == "fatal" ? RawRecord::Kind::fatal : RawRecord::Kind::dump;
    record.id = *id;
    record.pid = narrow<long>(parse_signed(field(rest, "pid").value_or(""))).value_or(0);
    record.ns = parse_signed(field(rest, "ns").value_or("")).value_or(0);
    if (record.kind == RawRecord::Kind::fatal) {
        record.signal = narrow<int>(parse_signed(field(rest, "signal").value_or("")));
        record.code = narrow<int>(parse_signed(field(rest, "code").value_or("")));
        record.fault_address = parse_prefixed_hex(field(rest, "addr").value_or(""));
    } else {
        record.threads_in_process =
            narrow<int>(parse_signed(field(rest, "threads").value_or(""))).value_or(0);
    }
    return record;
}

struct PendingThread {
    RawThread thread;
    std::optional<long> record;  // the `record=` it names
    std::size_t lines = 1;
};

std::optional<PendingThread> parse_thread_line(std::string_view rest) {
    // The name is the thread's comm, which may hold blanks: it runs from "name=" to the last
    // " record=" (or to the end of the line).
    PendingThread pending;
    std::string_view named = rest;
    if (auto at = rest.rfind(" record="); at != std::string_view::npos) {
        pending.record = narrow<long>(parse_signed(base::trim(rest.substr(at + 8))));
        if (!pending.record) {
            return std::nullopt;
        }
        named = rest.substr(0, at);
    }
    if (auto at = named.find("name=");
        at != std::string_view::npos && (at == 0 || named[at - 1] == ' ')) {
        pending.thread.name = std::string(named.substr(at + 5));
        named = named.substr(0, at);
    }
    auto tid = narrow<long>(parse_signed(field(named, "tid").value_or("")));
    if (!tid) {
        return std::nullopt;
    }
    pending.thread.tid = *tid;
    pending.thread.pthread = parse_prefixed_hex(field(named, "pthread").value_or("")).value_or(0);
    return pending;
}

bool valid_permissions(std::string_view perms) {
    return perms.size() == 4 && (perms[0] == 'r' || perms[0] == '-') &&
           (perms[1] == 'w' || perms[1] == '-') && (perms[2] == 'x' || perms[2] == '-') &&
           (perms[3] == 'p' || perms[3] == 's');
}

class Parser {
  public:
    NativeFile finish() && {
        drop_pending();
        return std::move(file_);
    }

    void line(std::string_view line) {
        std::string_view rest = line;
        std::string_view keyword;
        base::next_word(rest, keyword);
        if (pending_) {
            if (keyword == "frame") {
                frame(rest);
                return;
            }
            if (keyword == "end") {
                std::string_view what = rest;
                std::string_view word;
                if (base::next_word(what, word) && word == "thread") {
                    end_thread(what);
                    return;
                }
            }
            // A thread block is written whole (one write): anything else means it was cut.
            drop_pending();
        }
        if (keyword == "record") {
            if (auto record = parse_record_line(rest)) {
                file_.records.push_back(std::move(*record));
                return;
            }
        } else if (keyword == "thread") {
            if (auto pending = parse_thread_line(rest)) {
                pending_ = std::move(pending);
                return;
            }
        } else if (keyword == "maps" && base::trim(rest).empty()) {
            if (begin_maps()) {
                return;
            }
        } else if (keyword == "end") {
            if (end(rest)) {
                return;
            }
        } else if (maps_ && *maps_ < file_.records.size()) {
            if (auto mapping = parse_maps_line(line)) {
                file_.records[*maps_].maps.push_back(std::move(*mapping));
                return;
            }
        }
        skip();
    }

    void skip(std::size_t lines = 1) { file_.skipped_lines += lines; }

  private:
    void frame(std::string_view rest) {
        std::string_view address;
        base::next_word(rest, address);
        auto pc = parse_prefixed_hex(address);
        std::string_view flag;
        bool signal = base::next_word(rest, flag) && flag == "signal";
        if (!pc || (!flag.empty() && !signal)) {
            skip();
            return;
        }
        ++pending_->lines;
        RawThread& thread = pending_->thread;
        if (thread.pcs.size() >= kMaxFramesKept) {
            thread.truncated = true;
            return;
        }
        thread.pcs.push_back(*pc);
        thread.signal_frames.push_back(signal);
    }

    void end_thread(std::string_view rest) {
        PendingThread pending = std::move(*pending_);
        pending_.reset();
        pending.thread.truncated = pending.thread.truncated || has_word(rest, "truncated");
        RawRecord* record = pending.record          ? find(*pending.record)
                            : file_.records.empty() ? nullptr
                                                    : &file_.records.back();
        if (record == nullptr) {
            skip(pending.lines + 1);
            return;
        }
        record->threads.push_back(std::move(pending.thread));
    }

    void drop_pending() {
        if (pending_) {
            skip(pending_->lines);
            pending_.reset();
        }
    }

    // The record a `maps` line starts the map of: the latest one still open without a map.
    bool begin_maps() {
        for (std::size_t i = file_.records.size(); i-- > 0;) {
            if (!file_.records[i].complete && !maps_begun_.contains(i)) {
                maps_begun_.insert(i);
                maps_ = i;
                return true;
            }
        }
        return false;
    }

    bool end(std::string_view rest) {
        std::string_view what;
        base::next_word(rest, what);
        if (what == "maps" && base::trim(rest).empty() && maps_) {
            maps_.reset();
            return true;
        }
        if (what != "record") {
            return false;
        }
        auto id = narrow<long>(parse_signed(field(rest, "id").value_or("")));
        RawRecord* record = id ? find(*id) : nullptr;
        if (record == nullptr) {
            return false;
        }
        record->complete = true;
        if (auto answered = narrow<int>(parse_signed(field(rest, "answered").value_or("")))) {
            record->threads_answered = *answered;
        }
        if (auto of = narrow<int>(parse_signed(field(rest, "of").value_or("")))) {
            record->threads_in_process = *of;
        }
        if (maps_ && &file_.records[*maps_] == record) {
            maps_.reset();  // its `end maps` was lost
        }
        return true;
    }

    RawRecord* find(long id) {
        for (auto it = file_.records.rbegin(); it != file_.records.rend(); ++it) {
            if (it->id == id) {
                return &*it;
            }
        }
        return nullptr;
    }

    NativeFile file_;
    std::optional<PendingThread> pending_;
    std::optional<std::size_t> maps_;  // the record whose map lines are being read
    std::set<std::size_t> maps_begun_;
};

}  // namespace

std::optional<Mapping> parse_maps_line(std::string_view line) {
    std::string_view rest = line;
    std::string_view range, perms, offset, device, inode;
    if (!base::next_word(rest, range) || !base::next_word(rest, perms) ||
        !base::next_word(rest, offset) || !base::next_word(rest, device) ||
        !base::next_word(rest, inode)) {
        return std::nullopt;
    }
    auto dash = range.find('-');
    auto colon = device.find(':');
    if (dash == std::string_view::npos || colon == std::string_view::npos ||
        !valid_permissions(perms)) {
        return std::nullopt;
    }
    auto start = base::parse_hex_u64(range.substr(0, dash));
    auto end = base::parse_hex_u64(range.substr(dash + 1));
    auto file_offset = base::parse_hex_u64(offset);
    auto major = base::parse_hex_u64(device.substr(0, colon));
    auto minor = base::parse_hex_u64(device.substr(colon + 1));
    auto inode_number = base::parse_u64(inode);
    if (!start || !end || *start >= *end || !file_offset || !major || !minor || !inode_number ||
        *major > std::numeric_limits<std::uint32_t>::max() ||
        *minor > std::numeric_limits<std::uint32_t>::max()) {
        return std::nullopt;
    }
    Mapping mapping;
    mapping.start = *start;
    mapping.end = *end;
    mapping.file_offset = *file_offset;
    mapping.permissions = std::string(perms);
    mapping.device_major = static_cast<std::uint32_t>(*major);
    mapping.device_minor = static_cast<std::uint32_t>(*minor);
    mapping.inode = *inode_number;
    // The kernel pads with spaces up to the path's column; the path itself may hold spaces.
    std::size_t first = rest.find_first_not_of(' ');
    std::string_view path =
        first == std::string_view::npos ? std::string_view() : rest.substr(first);
    if (path.size() > kDeletedSuffix.size() &&
        path.substr(path.size() - kDeletedSuffix.size()) == kDeletedSuffix) {
        path.remove_suffix(kDeletedSuffix.size());
        mapping.deleted = true;
    }
    mapping.path = std::string(path);
    return mapping;
}

NativeFile parse_native_file(std::string_view text) {
    Parser parser;
    while (!text.empty()) {
        auto newline = text.find('\n');
        if (newline == std::string_view::npos) {
            parser.skip();  // the last line was cut: only whole lines count
            break;
        }
        parser.line(text.substr(0, newline));
        text.remove_prefix(newline + 1);
    }
    return std::move(parser).finish();
}

}  // namespace blackbox::native
