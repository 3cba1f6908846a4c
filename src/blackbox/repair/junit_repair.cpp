#include <cstdlib>
#include <pugixml.hpp>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include <blackbox/base/utf8_text.hpp>
#include <blackbox/repair/junit_repair.hpp>
#include <blackbox/repair/node_id.hpp>

namespace blackbox::repair {

using base::xml_safe_text;

namespace {

// Everything a file may hold is kept, so writing it back changes only what was added.
constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_declaration |
                                   pugi::parse_doctype | pugi::parse_comments | pugi::parse_pi |
                                   pugi::parse_ws_pcdata;

constexpr std::string_view kXdistPlaceholder = " crashed while running ";

void add_to_count(pugi::xml_node suite, const char* name) {
    auto attribute = suite.attribute(name);
    if (!attribute) {
        attribute = suite.append_attribute(name);
    }
    long value = std::strtol(attribute.value(), nullptr, 10);
    attribute.set_value(std::to_string(value + 1).c_str());
}

void fill_error(pugi::xml_node error, const CrashEntry& crash) {
    auto message = error.attribute("message");
    if (!message) {
        message = error.append_attribute("message");
    }
    message.set_value(xml_safe_text(crash_message(crash)).c_str());
    while (error.first_child()) {
        error.remove_child(error.first_child());
    }
    error.append_child(pugi::node_pcdata).set_value(xml_safe_text(crash_details(crash)).c_str());
}

pugi::xml_node new_suite(pugi::xml_node parent, const RepairContext& context) {
    auto suite = parent.append_child("testsuite");
    suite.append_attribute("name") = "pytest";
    for (const char* count : {"errors", "failures", "skipped", "tests"}) {
        suite.append_attribute(count) = "0";
    }
    suite.append_attribute("time") = "0.000";
    suite.append_attribute("timestamp") = context.timestamp.c_str();
    suite.append_attribute("hostname") = context.hostname.c_str();
    return suite;
}

pugi::xml_node find_testcase(pugi::xml_node root, const NodeIdParts& parts) {
    return root.find_node([&parts](pugi::xml_node node) {
        return std::string_view(node.name()) == "testcase" &&
               parts.junit_classname == node.attribute("classname").value() &&
               parts.junit_name == node.attribute("name").value();
    });
}

// The <failure> or <error> of a testcase, if any.
pugi::xml_node failure_of(pugi::xml_node testcase) {
    return testcase.find_child([](pugi::xml_node child) {
        std::string_view name = child.name();
        return name == "failure" || name == "error";
    });
}

}  // namespace

Patch repair_junit(const std::optional<std::string>& existing,
                   const std::vector<CrashEntry>& crashes, const RepairContext& context) {
    pugi::xml_document doc;
    pugi::xml_node suite;
    if (existing) {
        auto parsed =
            doc.load_buffer(existing->data(), existing->size(), kParseOptions, pugi::encoding_utf8);
        if (!parsed) {
            return Patch::failure(
                fmt::format("not valid XML ({} at byte {})", parsed.description(), parsed.offset));
        }
        auto root = doc.document_element();
        std::string_view root_name = root.name();
        if (root_name == "testsuite") {
            suite = root;
        } else if (root_name == "testsuites") {
            suite = root.child("testsuite");
            if (!suite) {
                suite = new_suite(root, context);
            }
        } else {
            return Patch::failure("not a JUnit XML file (the root element is <" +
                                  std::string(root_name) + ">)");
        }
    } else {
        auto declaration = doc.append_child(pugi::node_declaration);
        declaration.append_attribute("version") = "1.0";
        declaration.append_attribute("encoding") = "utf-8";
        suite = new_suite(doc.append_child("testsuites"), context);
    }

    Patch patch;
    for (const auto& crash : crashes) {
        auto parts = split_node_id(crash.nodeid);
        auto testcase = find_testcase(doc, parts);
        if (testcase) {
            auto failure = failure_of(testcase);
            if (failure) {
                std::string_view message = failure.attribute("message").value();
                if (message.find(kXdistPlaceholder) != std::string_view::npos &&
                    message.find("worker ") != std::string_view::npos) {
                    fill_error(failure, crash);
                    ++patch.marked;
                } else {
                    ++patch.already;
                }
                continue;
            }
            ++patch.marked;
            fill_error(testcase.append_child("error"), after_reported_call(crash));
        } else {
            testcase = suite.append_child("testcase");
            testcase.append_attribute("classname") = xml_safe_text(parts.junit_classname).c_str();
            testcase.append_attribute("name") = xml_safe_text(parts.junit_name).c_str();
            testcase.append_attribute("time") =
                fmt::format("{:.3f}", crash_duration(crash)).c_str();
            ++patch.added;
            fill_error(testcase.append_child("error"), crash);
        }
        auto owner = testcase.parent();  // the suite that counts this testcase
        add_to_count(owner, "errors");
        add_to_count(owner, "tests");
    }
    if (patch.added + patch.marked == 0 && existing) {
        return patch;
    }
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
    patch.text = out.str();
    if (!existing || (!existing->empty() && existing->back() == '\n')) {
        *patch.text += '\n';
    }
    return patch;
}

}  // namespace blackbox::repair
