#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <blackbox/journal/process_files.hpp>
#include <blackbox/journal/reader.hpp>
#include <blackbox/postmortem/sessions.hpp>
#include <blackbox/store/item_location.hpp>
#include <blackbox/store/run_rows.hpp>

namespace blackbox::store {

namespace {

using postmortem::RunModel;
using postmortem::TestResult;

bool wants(const postmortem::MonitorSettings& monitor, std::string_view scope) {
    return monitor.enabled &&
           std::find(monitor.scopes.begin(), monitor.scopes.end(), scope) != monitor.scopes.end();
}

// Writes the tests' rows in collection order. Their locations are streamed from the collected
// files again: the RunModel's tests were made from the same files in the same order (first
// listing wins), so the items are matched to them in step, and a node-id index is built only
// when they disagree. Every xdist worker lists the whole suite: once every test is written the
// remaining files are not read. Tests no file lists come last, located by their node id alone.
class TestRows {
  public:
    TestRows(const RunModel& run, RowSink& sink, RowCounts& counts)
        : run_(run),
          sink_(sink),
          counts_(counts),
          function_rows_(wants(run.monitor, "function")),
          written_(run.tests.size(), false) {}

    void write_all() {
        // In the model's order: session by session (postmortem/sessions.hpp).
        auto files = journal::find_process_files(run_.dir);
        postmortem::number_sessions(files);
        for (const auto& process : files) {
            if (written_count_ == run_.tests.size()) {
                break;
            }
            journal::for_each_object(process.collected, [this](const journal::Record& item) {
                if (auto nodeid = item.name("nodeid")) {
                    if (auto i = find(*nodeid); i && !written_[*i]) {
                        write(*i, item_location(item));
                    }
                }
            });
        }
        for (std::size_t i = 0; i < run_.tests.size(); ++i) {
            if (!written_[i]) {
                write(i, item_location(run_.tests[i].nodeid));
            }
        }
    }

  private:
    std::optional<std::size_t> find(std::string_view nodeid) {
        if (next_ < run_.tests.size() && run_.tests[next_].nodeid == nodeid) {
            return next_++;
        }
        if (index_.empty()) {
            index_.reserve(run_.tests.size());
            for (std::size_t i = 0; i < run_.tests.size(); ++i) {
                index_.emplace(run_.tests[i].nodeid, i);
            }
        }
        auto found = index_.find(nodeid);
        return found == index_.end() ? std::nullopt : std::optional(found->second);
    }

  private:
    void write(std::size_t i, const ItemLocation& location) {
        written_[i] = true;
        ++written_count_;
        const TestResult& test = run_.tests[i];
        if (test.outcome == "not_run") {
            return;  // it never ran: nothing was measured
        }
        const postmortem::Crash* crash = test.crash ? &run_.crashes[*test.crash] : nullptr;
        const auto start = test_start_text(test, crash, run_.clock);
        sink_.write_test(test_row(test, location.monitored, start));
        ++counts_.tests;
        if (function_rows_ && location.monitored) {
            sink_.write_metrics(function_metrics(test, location, start));
            ++counts_.metrics;
        }
    }

    const RunModel& run_;
    RowSink& sink_;
    RowCounts& counts_;
    const bool function_rows_;
    std::unordered_map<std::string_view, std::size_t> index_;  // views RunModel's node ids
    std::vector<bool> written_;
    std::size_t written_count_ = 0;
    std::size_t next_ = 0;  // the test the next item should be, in step
};

}  // namespace

RowCounts write_test_rows(const RunModel& run, RowSink& sink) {
    RowCounts counts;
    TestRows(run, sink, counts).write_all();
    for (const auto& scope : run.scopes) {
        if (wants(run.monitor, scope.kind)) {
            sink.write_metrics(scope_metrics(scope, run.clock));
            ++counts.metrics;
        }
    }
    return counts;
}

}  // namespace blackbox::store
