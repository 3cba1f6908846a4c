#pragma once

// Shared by the repair tests: the recorded report files (tests/unit/data/repair/, see its
// README), a fixed context, the crashes of the recorded log, and a scratch directory.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/repair/crash_entry.hpp>
#include <blackbox/repair/crash_log_reader.hpp>
#include <blackbox/repair/crash_sources.hpp>
#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::repair::testing {

inline std::filesystem::path data_path(const std::string& name) {
    return blackbox::testing::test_data() / "repair" / name;
}

inline std::string data_file(const std::string& name) {
    auto content = base::read_file(data_path(name));
    EXPECT_TRUE(content) << name;
    return content.value_or("");
}

inline RepairContext fixed_context() {
    return {1795330000.5, "2026-11-22T06:40:00.000000", "/home/dev/project", "ci-runner"};
}

// The recorded log's crashes, deduplicated: test_sizes[big], test_fails, test_explodes[…].
inline std::vector<CrashEntry> logged_crashes() {
    return merge_crashes(parse_crash_log(data_file("crashed_tests.jsonl")).crashes, {});
}

inline CrashEntry crash(std::string nodeid, std::optional<std::string> phase = std::nullopt) {
    CrashEntry entry;
    entry.nodeid = std::move(nodeid);
    entry.phase = std::move(phase);
    return entry;
}

inline CrashEntry segfault(std::string nodeid, std::string phase = "call") {
    auto entry = crash(std::move(nodeid), std::move(phase));
    entry.cause = "segfault";
    entry.signal = "SIGSEGV";
    entry.traceback =
        "Fatal Python error: Segmentation fault\n\nCurrent thread 0x1 (most recent "
        "call first):\n  File \"tests/test_sample.py\", line 5 in test_crashes\n";
    return entry;
}

// Repairs `text` with `repair`, then repairs the result again and expects nothing to change:
// every repair must be idempotent. Returns the first patch.
template <typename Repair>
Patch repaired_twice(const std::optional<std::string>& text, Repair repair) {
    auto first = repair(text);
    EXPECT_TRUE(first.error.empty()) << first.error;
    if (first.text) {
        auto second = repair(first.text);
        EXPECT_TRUE(second.error.empty()) << second.error;
        EXPECT_FALSE(second.text) << "a second repair changed the report again";
        EXPECT_EQ(second.added + second.marked, 0U);
    }
    return first;
}

using blackbox::testing::ScratchDir;

}  // namespace blackbox::repair::testing
