#pragma once

// Text made safe for XML 1.0: invalid UTF-8 replaced, characters XML forbids (most control
// characters) written as "#x1B" the way pytest's own JUnit writer does. Escaping of <, & and
// quotes is the XML writer's job.

#include <string>
#include <string_view>

namespace blackbox::report {

std::string xml_safe(std::string_view text);

}  // namespace blackbox::report
