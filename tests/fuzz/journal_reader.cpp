// The journal reader (journal/reader.hpp) on any bytes: it never throws, delivers only objects
// with a string "ev", counts what it delivered, bounds its warnings, and every accessor of a
// record answers without throwing, as does the record's JSON text.

#include <blackbox/base/json_text.hpp>
#include <blackbox/journal/reader.hpp>

#include "fuzz_input.hpp"

using namespace blackbox;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    std::size_t delivered = 0;
    auto summary = journal::for_each_record(text, "fuzz.jsonl", [&](const journal::Record& record) {
        ++delivered;
        fuzz::check(record.has("ev"), "a record without ev was delivered");
        for (std::string_view key : {"ev", "ns", "nodeid", "phase", "outcome", "dur", "pid",
                                     "worker", "when", "fixture", "count"}) {
            (void)record.string(key);
            (void)record.integer(key);
            (void)record.number(key);
            (void)record.boolean(key);
            (void)record.name(key);
            (void)record.json(key);
        }
        (void)base::json_text(record.to_json());
    });
    fuzz::check(summary.records == delivered, "the summary miscounts the records");
    fuzz::check(summary.warnings.size() <= 22, "the warnings are not bounded");

    auto objects = journal::parse_journal(text, "fuzz.jsonl");
    fuzz::check(objects.records.size() == delivered, "parse_journal differs from for_each_record");
    return 0;
}
