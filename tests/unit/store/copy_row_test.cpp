// A COPY row's fields: text as it is (pqxx escapes it), nulls as null pointers, numbers as text
// that reads back as the same value.

#include <cstdlib>
#include <limits>

#include <gtest/gtest.h>

#include <blackbox/store/copy_row.hpp>

namespace blackbox::store {
namespace {

TEST(CopyRow, NumbersReadBackAsWrittenAndNullsAreNullPointers) {
    const double numbers[] = {0.1,
                              -0.0,
                              1e300,
                              5e-324,
                              1.0,
                              1e16,
                              0.30000000000000004,
                              -std::numeric_limits<double>::max()};
    const std::string text = "a\tb\\c\nd";
    const std::optional<std::string> some = text;
    for (double number : numbers) {
        CopyRow<5> row;
        row.put(text);
        row.put(number);
        row.put(std::numeric_limits<std::int64_t>::min());
        row.put(std::optional<double>());
        row.put(some);
        const auto& fields = row.fields();
        EXPECT_EQ(fields[0], text.c_str());
        const double read = std::strtod(fields[1], nullptr);
        EXPECT_EQ(read, number);
        EXPECT_EQ(std::signbit(read), std::signbit(number));
        EXPECT_STREQ(fields[2], "-9223372036854775808");
        EXPECT_EQ(fields[3], nullptr);
        EXPECT_EQ(fields[4], some->c_str());
    }
}

}  // namespace
}  // namespace blackbox::store
