#include <cstring>

#include <blackbox/base/error.hpp>

namespace blackbox {

std::string errno_message(const std::string& context, int errnum) {
    return context + ": " + std::strerror(errnum);
}

}  // namespace blackbox
