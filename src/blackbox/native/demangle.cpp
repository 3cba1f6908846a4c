#include <cstdlib>
#include <cxxabi.h>
#include <memory>

#include <blackbox/native/demangle.hpp>

namespace blackbox::native {

std::string demangled(std::string_view name) {
    if (!name.starts_with("_Z")) {
        return std::string(name);
    }
    std::string mangled(name);  // __cxa_demangle wants a terminated string
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> text(
        abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), &std::free);
    return status == 0 && text ? std::string(text.get()) : mangled;
}

}  // namespace blackbox::native
