#pragma once

// The data block of the HTML report (docs/formats/report-html.md): the run, its memory trail and
// every test, columnar, times in seconds since the run's start. Streams the trail and thins a
// long one so that the page stays small and quick whatever the run's length.

#include <cstddef>
#include <filesystem>

#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

// A trail longer than this is halved, pair by pair, keeping the higher RSS of each pair.
inline constexpr std::size_t kMaxTimelinePoints = 100'000;

// The tests listed per kind of resource left behind (the JSON report lists them all).
inline constexpr std::size_t kLeakersListed = 10;

// Failure texts longer than this are cut.
inline constexpr std::size_t kMaxFailureText = 16 * 1024;

// `samples` is the run's samples.jsonl; a missing one gives an unsampled timeline.
nlohmann::json html_data(const postmortem::RunModel& run, const std::filesystem::path& samples);

}  // namespace blackbox::report
