#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/pressure.hpp>

namespace blackbox::sample {

namespace {

// "avg10=0.00 avg60=0.00 avg300=0.00 total=0" → avg10 and total; false when either is missing.
bool parse_line(std::string_view rest, std::optional<double>& avg10,
                std::optional<std::uint64_t>& total) {
    std::string_view word;
    std::optional<double> avg;
    std::optional<std::uint64_t> sum;
    while (base::next_word(rest, word)) {
        if (auto value = base::value_after(word, "avg10", '=')) {
            avg = base::parse_decimal(*value);
        } else if (auto count = base::value_after(word, "total", '=')) {
            sum = base::parse_u64(*count);
        }
    }
    if (!avg || !sum) {
        return false;
    }
    avg10 = avg;
    total = sum;
    return true;
}

}  // namespace

std::optional<Pressure> parse_pressure(std::string_view text) {
    Pressure pressure;
    bool any = false;
    std::string_view line;
    while (base::next_line(text, line)) {
        std::string_view kind;
        if (!base::next_word(line, kind)) {
            continue;
        }
        if (kind == "some") {
            any |= parse_line(line, pressure.some10, pressure.some_us);
        } else if (kind == "full") {
            any |= parse_line(line, pressure.full10, pressure.full_us);
        }
    }
    if (!any) {
        return std::nullopt;
    }
    return pressure;
}

}  // namespace blackbox::sample
