#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/wire/report_block_check.hpp>

namespace blackbox::wire {

namespace {

using nlohmann::json;

// The kinds of JSON value a rule allows, as bits.
enum Allowed : unsigned {
    kString = 1,
    kNumber = 2,
    kIndex = 4,  // an integer from 0 (an index into another array)
    kBool = 8,
    kNull = 16,
    kObject = 32,
    kArray = 64,
    kAny = 127,
};

// What the checker records about a value, to compare after the whole block is read.
enum class Tag {
    none,
    test_column,    // an array of the tests' columns: all one length
    sample_column,  // an array of the samples' columns: all one length
    prefixes,       // the arrays indexes point into: their lengths
    outcomes,
    workers,
    crashes,
    prefix_index,  // an index: its largest value
    outcome_index,
    worker_index,
    crash_index,
};

struct Rule;

struct Member {
    std::string_view key;
    const Rule* rule;
    bool required = false;
};

struct Rule {
    unsigned allowed = kAny;
    std::span<const Member> members{};  // an object's known members
    const Rule* element = nullptr;      // an array's elements (nullptr: any)
    Tag tag = Tag::none;
};

constexpr Rule kAnything{kAny};
constexpr Rule kText{kString};
constexpr Rule kTextOrNull{kString | kNull};
constexpr Rule kNumberRule{kNumber | kIndex};
constexpr Rule kNumberOrNull{kNumber | kIndex | kNull};
constexpr Rule kIndexOrNull{kIndex | kNull};
constexpr Rule kBoolean{kBool};
constexpr Rule kTexts{kArray, {}, &kText};

// The tests' columns.
constexpr Rule kNumbersColumn{kArray, {}, &kNumberOrNull, Tag::test_column};
constexpr Rule kNamesColumn{kArray, {}, &kText, Tag::test_column};
constexpr Rule kPrefixIndex{kIndex, {}, nullptr, Tag::prefix_index};
constexpr Rule kOutcomeIndex{kIndex, {}, nullptr, Tag::outcome_index};
constexpr Rule kWorkerIndex{kIndex, {}, nullptr, Tag::worker_index};
constexpr Rule kCrashIndex{kIndex | kNull, {}, nullptr, Tag::crash_index};
constexpr Rule kPrefixColumn{kArray, {}, &kPrefixIndex, Tag::test_column};
constexpr Rule kOutcomeColumn{kArray, {}, &kOutcomeIndex, Tag::test_column};
constexpr Rule kWorkerColumn{kArray, {}, &kWorkerIndex, Tag::test_column};
constexpr Rule kCrashColumn{kArray, {}, &kCrashIndex, Tag::test_column};
constexpr std::array kTestMembers = {
    Member{"prefix", &kPrefixColumn, true},    Member{"name", &kNamesColumn, true},
    Member{"outcome", &kOutcomeColumn, true},  Member{"worker", &kWorkerColumn, true},
    Member{"attempt", &kNumbersColumn, true},  Member{"start", &kNumbersColumn, true},
    Member{"end", &kNumbersColumn, true},      Member{"duration", &kNumbersColumn, true},
    Member{"peak_rss", &kNumbersColumn, true}, Member{"tree_peak_rss", &kNumbersColumn, true},
    Member{"retained", &kNumbersColumn, true}, Member{"cpu", &kNumbersColumn, true},
    Member{"crash", &kCrashColumn, true},      Member{"session", &kNumbersColumn}};
constexpr Rule kTests{kObject, kTestMembers};

// The memory trail.
constexpr Rule kSampleColumn{kArray, {}, &kNumberOrNull, Tag::sample_column};
constexpr std::array kSampleMembers = {
    Member{"t", &kSampleColumn, true}, Member{"rss", &kSampleColumn, true},
    Member{"available", &kSampleColumn, true}, Member{"cgroup", &kSampleColumn, true}};
constexpr Rule kSamples{kObject, kSampleMembers};

// The run.
constexpr std::array kExitMembers = {Member{"code", &kNumberOrNull},
                                     Member{"signal", &kNumberOrNull}};
constexpr Rule kExit{kObject, kExitMembers};
constexpr Rule kCounts{kObject, {}, nullptr};  // checked member by member below: numbers
constexpr std::array kSuspectMembers = {Member{"nodeid", &kTextOrNull},
                                        Member{"growth_bytes", &kNumberOrNull}};
constexpr Rule kSuspect{kObject | kNull, kSuspectMembers};
constexpr std::array kRunMembers = {Member{"id", &kTextOrNull},
                                    Member{"status", &kTextOrNull},
                                    Member{"recorder", &kTextOrNull},
                                    Member{"command", &kTexts},
                                    Member{"cwd", &kTextOrNull},
                                    Member{"started", &kTextOrNull},
                                    Member{"ended", &kTextOrNull},
                                    Member{"duration_s", &kNumberOrNull},
                                    Member{"attempts", &kNumberOrNull},
                                    Member{"exit", &kExit},
                                    Member{"counts", &kCounts},
                                    Member{"sampled", &kBoolean},
                                    Member{"interval_s", &kNumberOrNull},
                                    Member{"limit_bytes", &kNumberOrNull},
                                    Member{"peak_tree_rss_bytes", &kNumberOrNull},
                                    Member{"peak_tree_pss_bytes", &kNumberOrNull},
                                    Member{"suspect", &kSuspect},
                                    Member{"recording_stopped", &kTexts}};
constexpr Rule kRun{kObject, kRunMembers};

// Crashes, notes, failures and the rest.
constexpr std::array kTrendMembers = {
    Member{"seconds", &kNumberOrNull}, Member{"tree_rss_from", &kNumberOrNull},
    Member{"tree_rss_to", &kNumberOrNull}, Member{"available", &kNumberOrNull}};
constexpr Rule kTrend{kObject | kNull, kTrendMembers};
constexpr std::array kCrashMembers = {Member{"test", &kIndexOrNull},
                                      Member{"nodeid", &kTextOrNull},
                                      Member{"phase", &kTextOrNull},
                                      Member{"stage", &kTextOrNull},
                                      Member{"module", &kTextOrNull},
                                      Member{"worker", &kTextOrNull},
                                      Member{"fixture", &kTextOrNull},
                                      Member{"signal", &kNumberOrNull},
                                      Member{"signal_name", &kTextOrNull},
                                      Member{"exit_code", &kNumberOrNull},
                                      Member{"cause", &kTextOrNull},
                                      Member{"evidence", &kTextOrNull},
                                      Member{"traceback", &kTextOrNull},
                                      Member{"captured_stdout", &kTextOrNull},
                                      Member{"captured_stderr", &kTextOrNull},
                                      Member{"captured_log", &kTextOrNull},
                                      Member{"rss_bytes", &kNumberOrNull},
                                      Member{"memory_trend", &kTrend},
                                      Member{"t", &kNumberOrNull},
                                      Member{"attempt", &kNumberOrNull},
                                      Member{"collateral", &kBoolean},
                                      Member{"frames", &kTexts}};
constexpr Rule kCrash{kObject, kCrashMembers};
constexpr Rule kCrashes{kArray, {}, &kCrash, Tag::crashes};
constexpr std::array kNoteMembers = {Member{"t", &kNumberOrNull}, Member{"what", &kTextOrNull},
                                     Member{"text", &kTextOrNull}};
constexpr Rule kNote{kObject, kNoteMembers};
constexpr Rule kNotes{kArray, {}, &kNote};
constexpr std::array kFailureMembers = {
    Member{"test", &kIndexOrNull}, Member{"phase", &kTextOrNull}, Member{"text", &kTextOrNull}};
constexpr Rule kFailure{kObject, kFailureMembers};
constexpr Rule kFailures{kArray, {}, &kFailure};
constexpr std::array kCollectErrorMembers = {Member{"nodeid", &kTextOrNull},
                                             Member{"text", &kTextOrNull}};
constexpr Rule kCollectError{kObject, kCollectErrorMembers};
constexpr Rule kCollectErrors{kArray, {}, &kCollectError};
constexpr std::array kLeaverMembers = {Member{"nodeid", &kTextOrNull},
                                       Member{"left", &kTextOrNull}};
constexpr Rule kLeaver{kObject, kLeaverMembers};
constexpr Rule kLeavers{kArray, {}, &kLeaver};
constexpr std::array kLeftMembers = {Member{"kind", &kTextOrNull}, Member{"title", &kTextOrNull},
                                     Member{"count", &kNumberOrNull}, Member{"tests", &kLeavers}};
constexpr Rule kLeft{kObject, kLeftMembers};
constexpr Rule kLeftBehind{kArray, {}, &kLeft};
constexpr std::array kGcMembers = {Member{"tests", &kNumberOrNull},
                                   Member{"freed_bytes", &kNumberOrNull},
                                   Member{"objects", &kNumberOrNull},
                                   Member{"seconds", &kNumberOrNull}, Member{"most", &kTextOrNull}};
constexpr Rule kGc{kObject | kNull, kGcMembers};
constexpr Rule kPrefixes{kArray, {}, &kText, Tag::prefixes};
constexpr Rule kOutcomes{kArray, {}, &kText, Tag::outcomes};
constexpr Rule kWorkers{kArray, {}, &kText, Tag::workers};

constexpr std::array kBlockMembers = {Member{"format", &kNumberRule, true},
                                      Member{"generated", &kTextOrNull},
                                      Member{"run", &kRun, true},
                                      Member{"samples", &kSamples, true},
                                      Member{"notes", &kNotes},
                                      Member{"workers", &kWorkers, true},
                                      Member{"outcomes", &kOutcomes, true},
                                      Member{"prefixes", &kPrefixes, true},
                                      Member{"tests", &kTests, true},
                                      Member{"crashes", &kCrashes, true},
                                      Member{"failures", &kFailures},
                                      Member{"collect_errors", &kCollectErrors},
                                      Member{"left_behind", &kLeftBehind},
                                      Member{"gc", &kGc}};
constexpr Rule kBlock{kObject, kBlockMembers};

std::string allowed_names(unsigned allowed) {
    std::vector<std::string> names;
    if (allowed & kString) {
        names.emplace_back("a string");
    }
    if (allowed & kNumber) {
        names.emplace_back("a number");
    } else if (allowed & kIndex) {
        names.emplace_back("an index (an integer from 0)");
    }
    if (allowed & kBool) {
        names.emplace_back("true or false");
    }
    if (allowed & kObject) {
        names.emplace_back("an object");
    }
    if (allowed & kArray) {
        names.emplace_back("an array");
    }
    if (allowed & kNull) {
        names.emplace_back("null");
    }
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i) {
        text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    }
    return text;
}

// nlohmann's SAX interface: each value checked against its rule as it is read.
class Checker {
  public:
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    bool null() { return value(kNull); }
    bool boolean(bool) { return value(kBool); }
    bool number_integer(number_integer_t number) {
        return number >= 0 ? index(static_cast<std::uint64_t>(number)) : value(kNumber);
    }
    bool number_unsigned(number_unsigned_t number) { return index(number); }
    bool number_float(number_float_t, const string_t&) { return value(kNumber); }
    bool string(string_t&) { return value(kString); }
    bool binary(binary_t&) { return fail("holds binary data"); }
    bool start_object(std::size_t) {
        if (!value(kObject)) {
            return false;
        }
        push_frame(true);
        return true;
    }
    bool key(string_t& key) {
        auto& frame = frames_.back();
        frame.key = key;
        frame.member = nullptr;
        for (const auto& member : frame.rule->members) {
            if (member.key == key) {
                frame.member = &member;
                frame.seen.push_back(member.key);
            }
        }
        return true;
    }
    bool end_object() {
        const auto& frame = frames_.back();
        for (const auto& member : frame.rule->members) {
            if (member.required &&
                std::find(frame.seen.begin(), frame.seen.end(), member.key) == frame.seen.end()) {
                missing_ = member.key;
                return fail("is missing", true);
            }
        }
        frames_.pop_back();
        count_container();
        return true;
    }
    bool start_array(std::size_t) {
        if (!value(kArray)) {
            return false;
        }
        push_frame(false);
        return true;
    }
    bool end_array() {
        const auto& frame = frames_.back();
        if (frame.rule->tag != Tag::none) {
            lengths_[frame.rule->tag].push_back({path(frames_.size() - 1), frame.count});
        }
        frames_.pop_back();
        count_container();
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
        if (problem_.empty()) {
            problem_ = "report: the data is not valid JSON";
        }
        return false;
    }

    // The problems found after the whole block was read: columns of different lengths, an
    // index past its array.
    std::optional<std::string> verdict() const {
        if (!problem_.empty()) {
            return problem_;
        }
        for (Tag tag : {Tag::test_column, Tag::sample_column}) {
            const auto found = lengths_.find(tag);
            if (found == lengths_.end()) {
                continue;
            }
            for (const auto& [where, length] : found->second) {
                if (length != found->second.front().second) {
                    return fmt::format("report: {} has {} values, {} has {}", where, length,
                                       found->second.front().first, found->second.front().second);
                }
            }
        }
        for (auto [index, array, name] :
             {std::tuple{Tag::prefix_index, Tag::prefixes, "tests.prefix"},
              {Tag::outcome_index, Tag::outcomes, "tests.outcome"},
              {Tag::worker_index, Tag::workers, "tests.worker"},
              {Tag::crash_index, Tag::crashes, "tests.crash"}}) {
            const auto largest = largest_.find(index);
            if (largest == largest_.end()) {
                continue;
            }
            const auto lengths = lengths_.find(array);
            const std::size_t length =
                lengths == lengths_.end() ? 0 : lengths->second.front().second;
            if (largest->second >= length) {
                return fmt::format("report: {} holds {}, past the end of its array ({} values)",
                                   name, largest->second, length);
            }
        }
        return std::nullopt;
    }

  private:
    struct Frame {
        const Rule* rule = nullptr;
        bool object = false;
        std::size_t count = 0;               // the array's values so far
        std::string key;                     // the object's current key
        const Member* member = nullptr;      // its rule, when known
        std::vector<std::string_view> seen;  // the known members met
    };

    void push_frame(bool object) {
        Frame frame;
        frame.rule = pending_;
        frame.object = object;
        frames_.push_back(std::move(frame));
    }

    // The rule of the value about to be read.
    const Rule& next_rule() const {
        if (frames_.empty()) {
            return kBlock;
        }
        const auto& frame = frames_.back();
        if (frame.object) {
            if (frame.member != nullptr) {
                return *frame.member->rule;
            }
            // A run's counts are all numbers; other unknown members anything.
            return frame.rule == &kCounts ? kNumberOrNull : kAnything;
        }
        return frame.rule->element != nullptr ? *frame.rule->element : kAnything;
    }

    // The path of the value being read at `depth` (frames_.size(): the current value; one less:
    // the container being read), as "tests.peak_rss[3]".
    std::string path(std::size_t depth) const {
        std::string text;
        for (std::size_t i = 0; i < depth && i < frames_.size(); ++i) {
            const auto& frame = frames_[i];
            if (frame.object) {
                text += (text.empty() ? "" : ".") + frame.key;
            } else {
                text += fmt::format("[{}]", frame.count);
            }
        }
        return text;
    }

    bool fail(std::string_view problem, bool missing_member = false) {
        if (problem_.empty()) {
            std::string where = path(missing_member ? frames_.size() - 1 : frames_.size());
            if (missing_member) {
                where += (where.empty() ? "" : ".") + std::string(missing_);
            }
            problem_ = fmt::format("report: {} {}", where.empty() ? "the data" : where, problem);
        }
        return false;
    }

    bool index(std::uint64_t number) {
        const Rule& rule = next_rule();
        if (rule.tag != Tag::none && (rule.allowed & kIndex)) {
            auto& largest = largest_[rule.tag];
            largest = std::max<std::uint64_t>(largest, number);
        }
        return value(kIndex | kNumber);
    }

    // Checks a value of kind `kind` (a number is kNumber, a whole one from 0 also kIndex)
    // against its rule and counts it in its array.
    bool value(unsigned kind) {
        const Rule& rule = next_rule();
        if ((rule.allowed & kind) == 0) {
            return fail(fmt::format("must be {}", allowed_names(rule.allowed)));
        }
        pending_ = &rule;
        if (!frames_.empty() && !frames_.back().object && !(kind & (kObject | kArray))) {
            ++frames_.back().count;
        }
        return true;
    }

    // A container ended: one more value of the array that holds it.
    void count_container() {
        if (!frames_.empty() && !frames_.back().object) {
            ++frames_.back().count;
        }
    }

    const Rule* pending_ = nullptr;
    std::vector<Frame> frames_;
    std::string problem_;
    std::string_view missing_;
    std::map<Tag, std::vector<std::pair<std::string, std::size_t>>> lengths_;
    std::map<Tag, std::uint64_t> largest_;
};

}  // namespace

std::optional<std::string> check_report_block(std::string_view block) {
    try {
        Checker checker;
        json::sax_parse(block.begin(), block.end(), &checker);
        return checker.verdict();
    } catch (const std::exception& error) {
        return fmt::format("report: {}", error.what());
    }
}

}  // namespace blackbox::wire
