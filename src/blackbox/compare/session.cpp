#include "session.hpp"

namespace blackbox::compare {

std::string started_for_people(const Session& session) {
    // "2026-11-22T08:55:54.488123" -> "2026-11-22 08:55:54": enough to tell runs apart.
    auto text = session.started.substr(0, 19);
    if (text.size() > 10 && text[10] == 'T') {
        text[10] = ' ';
    }
    return text;
}

}  // namespace blackbox::compare
