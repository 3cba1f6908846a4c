#include <algorithm>
#include <limits>

#include <blackbox/compare/median.hpp>
#include <blackbox/plan/overhead.hpp>

namespace blackbox::plan {

namespace {

// The plan's workers as a session's: one worker is pytest without xdist.
std::size_t xdist_workers(std::size_t workers) {
    return workers <= 1 ? 0 : workers;
}

std::size_t distance(std::size_t a, std::size_t b) {
    return a > b ? a - b : b - a;
}

}  // namespace

Overhead overhead_for(const std::vector<SessionCost>& sessions, std::size_t workers) {
    const auto wanted = xdist_workers(workers);
    // The nearest worker count among the sessions that recorded their course.
    std::optional<std::size_t> nearest;
    for (const auto& session : sessions) {
        if (!session.course.startup_s && !session.course.collection_s && !session.course.finish_s) {
            continue;
        }
        if (!nearest || distance(session.workers, wanted) < distance(*nearest, wanted) ||
            (distance(session.workers, wanted) == distance(*nearest, wanted) &&
             session.workers > *nearest)) {
            nearest = session.workers;
        }
    }
    Overhead overhead;
    if (!nearest) {
        return overhead;
    }
    overhead.from_workers = *nearest;
    std::vector<double> startup, collection, finish;
    for (const auto& session : sessions) {
        if (session.workers != *nearest) {
            continue;
        }
        const auto& course = session.course;
        if (course.startup_s || course.collection_s || course.finish_s) {
            overhead.sessions += 1;
        }
        for (auto [figure, values] : {std::pair{&course.startup_s, &startup},
                                      {&course.collection_s, &collection},
                                      {&course.finish_s, &finish}}) {
            if (*figure) {
                values->push_back(**figure);
            }
        }
    }
    overhead.startup_s = compare::median(startup).value_or(0);
    overhead.collection_s = compare::median(collection).value_or(0);
    overhead.finish_s = compare::median(finish).value_or(0);
    return overhead;
}

}  // namespace blackbox::plan
