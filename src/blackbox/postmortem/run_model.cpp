#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

double TestResult::duration_s() const {
    double total = 0;
    for (const auto* phase : {&setup, &call, &teardown}) {
        if (*phase) {
            total += (*phase)->duration_s;
        }
    }
    return total;
}

}  // namespace blackbox::postmortem
