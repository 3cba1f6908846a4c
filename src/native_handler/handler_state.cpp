#include "handler_state.hpp"

namespace blackbox::native_handler {

namespace {

constinit HandlerState state;  // initialized at load time: no guard for a handler to take

}  // namespace

HandlerState& handler_state() {
    return state;
}

int fatal_index(int signal) {
    for (std::size_t i = 0; i < kFatalSignalCount; ++i) {
        if (kFatalSignals[i] == signal) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

}  // namespace blackbox::native_handler
