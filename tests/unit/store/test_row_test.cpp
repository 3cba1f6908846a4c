// The node id a row stores: a later pytest session's and a `--dist each` worker's entries keep
// rows of their own under the table's key (the run and the node id).

#include <gtest/gtest.h>

#include <blackbox/store/test_row.hpp>

namespace blackbox::store {
namespace {

TEST(StoredNodeid, TheFirstSessionKeepsTheNodeIdALaterOneIsNamed) {
    EXPECT_EQ(stored_nodeid("t.py::test_a", 0), "t.py::test_a");
    EXPECT_EQ(stored_nodeid("t.py::test_a", 1), "t.py::test_a (session 2)");
}

TEST(StoredNodeid, EachWorkersEntryUnderDistEachIsNamedAfterItsWorker) {
    postmortem::TestResult test;
    test.nodeid = "t.py::test_a";
    test.worker = "gw1";
    EXPECT_EQ(stored_nodeid(test), "t.py::test_a");  // a test only one worker ran
    test.each_worker = true;
    EXPECT_EQ(stored_nodeid(test), "t.py::test_a [gw1]");
    test.session = 1;
    EXPECT_EQ(stored_nodeid(test), "t.py::test_a (session 2) [gw1]");

    postmortem::Crash crash;
    crash.nodeid = std::string("t.py::test_\xff");  // not UTF-8: stored as valid text
    crash.worker = "gw0";
    crash.each_worker = true;
    auto stored = stored_nodeid(crash);
    EXPECT_EQ(stored.substr(stored.size() - 6), " [gw0]");
    EXPECT_EQ(stored.find('\xff'), std::string::npos);
}

}  // namespace
}  // namespace blackbox::store
