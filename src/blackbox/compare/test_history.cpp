#include "test_history.hpp"

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

}  // namespace blackbox::compare
