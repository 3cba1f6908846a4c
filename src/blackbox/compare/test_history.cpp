#include "test_history.hpp"

#include <algorithm>

namespace blackbox::compare {

TestHistory load_history(MetricsSource& source, const std::string& nodeid, std::size_t last) {
    TestHistory history;
    history.nodeid = nodeid;
    history.points = source.history(nodeid);
    history.recorded = history.points.size();
    if (last != 0 && history.points.size() > last) {
        history.points.erase(history.points.begin(),
                             history.points.end() - static_cast<std::ptrdiff_t>(last));
    }
    return history;
}

NamedHistory load_named_history(MetricsSource& source, const std::string& text, std::size_t last,
                                std::size_t suggestions) {
    NamedHistory named;
    named.history = load_history(source, text, last);
    if (!named.history.points.empty()) {
        return named;
    }
    auto similar = source.nodeids_containing(text, suggestions + 1);
    if (similar.size() == 1) {
        named.history = load_history(source, similar[0], last);
        return named;
    }
    named.more = similar.size() > suggestions;
    similar.resize(std::min(similar.size(), suggestions));
    named.candidates = std::move(similar);
    return named;
}

}  // namespace blackbox::compare
