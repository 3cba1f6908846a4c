#include <array>
#include <utility>

#include <blackbox/journal/test_result.hpp>

namespace blackbox::journal {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kKinds{{
    {"fds", "file descriptors"},
    {"threads", "threads"},
    {"children", "child processes"},
    {"figures", "matplotlib figures"},
}};

}  // namespace

double TestResult::duration_s() const {
    double total = 0;
    for (const auto* phase : {&setup, &call, &teardown}) {
        if (*phase) {
            total += (*phase)->duration_s;
        }
    }
    if (cut) {
        total += cut->duration_s;
    }
    return total;
}

std::optional<double> TestResult::phase_duration_s(CutPhase::Phase phase) const {
    const auto& result = phase == CutPhase::Phase::setup  ? setup
                         : phase == CutPhase::Phase::call ? call
                                                          : teardown;
    if (result) {
        return result->duration_s;
    }
    if (cut && cut->phase == phase) {
        return cut->duration_s;
    }
    return std::nullopt;
}

int leftover_rank(std::string_view kind) {
    for (std::size_t i = 0; i < kKinds.size(); ++i) {
        if (kKinds[i].first == kind) {
            return static_cast<int>(i);
        }
    }
    return static_cast<int>(kKinds.size());
}

std::string_view leftover_title(std::string_view kind) {
    for (const auto& [name, title] : kKinds) {
        if (name == kind) {
            return title;
        }
    }
    return kind;
}

}  // namespace blackbox::journal
