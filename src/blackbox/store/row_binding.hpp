#pragma once

// A row's values (row_values.hpp) bound to a prepared SQLite statement's parameters, in order
// from a first index.

#include <SQLiteCpp/Statement.h>

#include <blackbox/store/row_values.hpp>

namespace blackbox::store {

class StatementBinder final : public ValueSink {
  public:
    // `statement` must outlive the binder.
    explicit StatementBinder(SQLite::Statement& statement, int first = 1)
        : statement_(statement), next_(first) {}

    void null() override { statement_.bind(next_++); }
    void integer(std::int64_t value) override { statement_.bind(next_++, value); }
    void real(double value) override { statement_.bind(next_++, value); }
    void text(const std::string& value) override { statement_.bind(next_++, value); }  // copied

  private:
    SQLite::Statement& statement_;
    int next_;
};

}  // namespace blackbox::store
