// Node ids split as pytest's junitxml and pytest-csv split them.

#include <gtest/gtest.h>

#include <blackbox/repair/node_id.hpp>

namespace blackbox::repair {
namespace {

TEST(NodeId, AFunctionInAModule) {
    auto parts = split_node_id("tests/test_sample.py::test_passes");
    EXPECT_EQ(parts.file, "tests/test_sample.py");
    EXPECT_EQ(parts.junit_classname, "tests.test_sample");
    EXPECT_EQ(parts.junit_name, "test_passes");
    EXPECT_EQ(parts.module, "tests.test_sample");
    EXPECT_EQ(parts.test_class, "");
    EXPECT_EQ(parts.function, "test_passes");
}

TEST(NodeId, AMethodWithParametersHoldingColons) {
    auto parts = split_node_id("tests/test_sample.py::TestGroup::test_x[a::b-1]");
    EXPECT_EQ(parts.junit_classname, "tests.test_sample.TestGroup");
    EXPECT_EQ(parts.junit_name, "test_x[a::b-1]");
    EXPECT_EQ(parts.test_class, "TestGroup");
    EXPECT_EQ(parts.function, "test_x");
    EXPECT_EQ(parts.name, "test_x[a::b-1]");
    EXPECT_EQ(parts.params, "a::b-1");
}

TEST(NodeId, AModuleThatCrashedWhileCollectedIsNamedAsPytestNamesCollectionErrors) {
    auto parts = split_node_id("tests/test_crash_on_import.py");
    EXPECT_EQ(parts.junit_classname, "");
    EXPECT_EQ(parts.junit_name, "tests.test_crash_on_import");
}

}  // namespace
}  // namespace blackbox::repair
