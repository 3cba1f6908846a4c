// What --db names, and the passwords a PostgreSQL URL may carry kept out of what is printed.

#include <gtest/gtest.h>

#include <blackbox/store/database_url.hpp>

namespace blackbox::store {
namespace {

TEST(DatabaseUrl, PostgresUrlsAreTheirTwoSchemesAndEverythingElseAFile) {
    EXPECT_TRUE(is_postgres_url("postgresql://u@h:5432/db"));
    EXPECT_TRUE(is_postgres_url("postgres://h/db"));
    EXPECT_FALSE(is_postgres_url(""));
    EXPECT_FALSE(is_postgres_url(".blackbox/metrics.db"));
    EXPECT_FALSE(is_postgres_url("postgresql.db"));
    EXPECT_FALSE(is_postgres_url("sqlite:///x.db"));
}

TEST(DatabaseUrl, RedactsThePasswordOfTheUserPartAndOfParameters) {
    EXPECT_EQ(redacted_url("postgresql://u:s3cret@h:5432/db"), "postgresql://u:***@h:5432/db");
    EXPECT_EQ(redacted_url("postgresql://u@h:5432/db?password=s3cret&sslmode=require"),
              "postgresql://u@h:5432/db?password=***&sslmode=require");
    EXPECT_EQ(redacted_url("postgres://u:a%40b@h/db?sslmode=disable&password=x"),
              "postgres://u:***@h/db?sslmode=disable&password=***");
    // An '@' left unencoded in the password: the host begins after the last one.
    EXPECT_EQ(redacted_url("postgresql://u:p@ss@h/db"), "postgresql://u:***@h/db");
}

TEST(DatabaseUrl, LeavesAUrlWithoutPasswordAsItIs) {
    for (const char* url : {"postgresql://u@h:5432/db", "postgresql://h/db", "postgresql:///db",
                            "postgresql://h:5432/db?sslmode=require&user=u", "x.db"}) {
        EXPECT_EQ(redacted_url(url), url);
    }
}

TEST(DatabaseUrl, TakesThePasswordOutOfADriversMessageAsWrittenAndDecoded) {
    const char* url = "postgresql://u:a%40b@h/db?password=other";
    EXPECT_EQ(without_password("auth failed for a%40b, a@b and other", url),
              "auth failed for ***, *** and ***");
    EXPECT_EQ(without_password("nothing secret", "postgresql://u@h/db"), "nothing secret");
}

}  // namespace
}  // namespace blackbox::store
