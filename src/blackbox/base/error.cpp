#include <blackbox/base/error.hpp>

#include <cstring>

namespace blackbox {

std::string errno_message(const std::string& context, int errnum) {
    return context + ": " + std::strerror(errnum);
}

}  // namespace blackbox
