#include <csignal>

#include <blackbox/postmortem/death_cause.hpp>

namespace blackbox::postmortem {

std::string cause_for_signal(int signal) {
    switch (signal) {
        case SIGSEGV:
            return "segfault";
        case SIGABRT:
            return "abort";
        case SIGBUS:
            return "bus_error";
        case SIGFPE:
            return "fpe";
        case SIGILL:
            return "illegal_instruction";
        default:
            return "killed";
    }
}

}  // namespace blackbox::postmortem
