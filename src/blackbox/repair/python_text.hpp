#pragma once

// Numbers written the way Python's str() writes them, for report columns that plugins fill
// with str(value).

#include <string>

namespace blackbox::repair {

// str(float): the shortest text that reads back the same, "1.0" rather than "1".
std::string python_float(double value);

// str(datetime.timedelta(seconds=value)): "0:00:01.250000", "1:02:03".
std::string python_timedelta(double seconds);

}  // namespace blackbox::repair
