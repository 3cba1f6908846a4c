#pragma once

// The pieces of a pytest node id ("tests/test_x.py::TestY::test_z[param]") that report formats
// name separately, derived as pytest and its plugins derive them.

#include <string>
#include <string_view>

namespace blackbox::repair {

struct NodeIdParts {
    std::string file;             // "tests/test_x.py": the part before the first "::"
    std::string file_name;        // "test_x.py" (pytest-json-report's keywords)
    std::string junit_classname;  // "tests.test_x.TestY", as pytest's --junitxml writes it
    std::string junit_name;       // "test_z[param]"
    std::string module;           // "tests.test_x", as pytest-csv's `module` column
    std::string test_class;       // "TestY", or "" (pytest-csv's `class`)
    std::string function;         // "test_z" (pytest-csv's `function`)
    std::string name;             // "test_z[param]" (pytest-csv's `name`)
    std::string params;           // "param", or "" (pytest-csv's `parameters` source)
};

// Never fails: a node id without "::" (a module that crashed while being collected) has only a
// file, and its JUnit name is the dotted module, as pytest writes collection errors.
NodeIdParts split_node_id(std::string_view nodeid);

}  // namespace blackbox::repair
