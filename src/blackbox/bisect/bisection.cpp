#include <blackbox/bisect/bisection.hpp>

namespace blackbox::bisect {

namespace {

// The oracle, counting reruns.
class Reruns {
  public:
    Reruns(const std::string& culprit, const CrashOracle& crashes)
        : culprit_(culprit), crashes_(crashes) {}

    bool crash_after(const std::vector<std::string>& tests) {
        ++count_;
        auto ordered = tests;
        ordered.push_back(culprit_);
        return crashes_(ordered);
    }

    std::size_t count() const { return count_; }

  private:
    const std::string& culprit_;
    const CrashOracle& crashes_;
    std::size_t count_ = 0;
};

}  // namespace

BisectResult find_polluters(const std::vector<std::string>& predecessors,
                            const std::string& culprit, const CrashOracle& crashes,
                            std::size_t max_reruns) {
    using Outcome = BisectResult::Outcome;
    Reruns reruns(culprit, crashes);
    BisectResult result;
    auto finish = [&](Outcome outcome, std::vector<std::string> polluters) {
        result.outcome = outcome;
        result.polluters = std::move(polluters);
        result.reruns = reruns.count();
        return result;
    };
    if (max_reruns < 2) {
        return finish(Outcome::out_of_reruns, predecessors);
    }
    if (reruns.crash_after({})) {
        return finish(Outcome::crashes_alone, {});
    }
    if (predecessors.empty() || !reruns.crash_after(predecessors)) {
        return finish(Outcome::not_reproduced, {});
    }
    auto verified = predecessors;    // the smallest set seen making the culprit crash
    auto candidates = predecessors;  // where the polluter is, if one test is
    while (candidates.size() > 1) {
        if (reruns.count() >= max_reruns) {
            return finish(Outcome::out_of_reruns, verified);
        }
        auto middle = candidates.begin() + static_cast<std::ptrdiff_t>(candidates.size() / 2);
        std::vector<std::string> first(candidates.begin(), middle);
        if (reruns.crash_after(first)) {
            candidates = first;
            verified = std::move(first);
        } else {
            candidates.erase(candidates.begin(), middle);
        }
    }
    if (candidates == verified) {
        return finish(Outcome::found, verified);
    }
    if (reruns.count() >= max_reruns) {
        return finish(Outcome::out_of_reruns, verified);
    }
    if (reruns.crash_after(candidates)) {
        return finish(Outcome::found, candidates);
    }
    // Pollution by several tests together (one in each half): what was seen is all we know.
    return finish(Outcome::not_reduced, verified);
}

}  // namespace blackbox::bisect
