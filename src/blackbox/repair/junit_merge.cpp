#include <algorithm>
#include <cstdlib>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include <blackbox/base/utf8_text.hpp>
#include <blackbox/repair/junit_merge.hpp>
#include <blackbox/repair/node_id.hpp>

namespace blackbox::repair {

using base::xml_safe_text;

namespace {

constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_declaration |
                                   pugi::parse_doctype | pugi::parse_comments | pugi::parse_pi |
                                   pugi::parse_ws_pcdata;

using Name = std::pair<std::string, std::string>;  // classname, name

void set(pugi::xml_node node, const char* name, std::string_view value) {
    auto attribute = node.attribute(name);
    if (!attribute) {
        attribute = node.append_attribute(name);
    }
    attribute.set_value(xml_safe_text(value).c_str());
}

// The suites of a document, whatever its root (<testsuites> or one <testsuite>).
std::vector<pugi::xml_node> suites_of(pugi::xml_node root) {
    if (std::string_view(root.name()) == "testsuite") {
        return {root};
    }
    std::vector<pugi::xml_node> suites;
    for (auto suite : root.children("testsuite")) {
        suites.push_back(suite);
    }
    return suites;
}

void add_test(pugi::xml_node suite, const TestEntry& test) {
    auto parts = split_node_id(test.nodeid);
    auto testcase = suite.append_child("testcase");
    set(testcase, "classname", parts.junit_classname);
    set(testcase, "name", parts.junit_name);
    set(testcase, "time", fmt::format("{:.3f}", test.duration_s));
    if (test.properties.is_array() && !test.properties.empty()) {
        auto properties = testcase.append_child("properties");
        for (const auto& pair : test.properties) {
            if (!pair.is_array() || pair.size() != 2) {
                continue;
            }
            auto property = properties.append_child("property");
            set(property, "name",
                pair[0].is_string() ? pair[0].get<std::string>() : pair[0].dump());
            set(property, "value",
                pair[1].is_string() ? pair[1].get<std::string>() : pair[1].dump());
        }
    }
    const auto& outcome = test.outcome;
    pugi::xml_node element;
    if (outcome == "failed") {
        element = testcase.append_child("failure");
        set(element, "message", test.message);
    } else if (outcome == "error") {
        element = testcase.append_child("error");
        auto line = failure_line(test.longrepr, "");  // pytest: failed on setup with "E line"
        set(element, "message",
            line.empty() ? "failed on " + test.failed_phase
                         : fmt::format("failed on {} with \"{}\"", test.failed_phase, line));
    } else if (outcome == "skipped" || outcome == "xfailed") {
        element = testcase.append_child("skipped");
        set(element, "type", outcome == "xfailed" ? "pytest.xfail" : "pytest.skip");
        set(element, "message", skip_reason(test.message));
        return;
    } else if (outcome == "not_run") {
        element = testcase.append_child("skipped");
        set(element, "type", "blackbox.not_run");
        set(element, "message", test.message);
        return;
    } else {
        return;  // passed, xpassed
    }
    if (test.longrepr) {
        element.append_child(pugi::node_pcdata).set_value(xml_safe_text(*test.longrepr).c_str());
    }
}

// A suite's counts as pytest keeps them (a teardown error after a passed call is two tests).
struct Counts {
    long tests = 0, failures = 0, errors = 0, skipped = 0;
    double time = 0;

    void add(pugi::xml_node suite) {
        auto count = [&suite](const char* name) {
            return std::strtol(suite.attribute(name).value(), nullptr, 10);
        };
        tests += count("tests");
        failures += count("failures");
        errors += count("errors");
        skipped += count("skipped");
        time += std::strtod(suite.attribute("time").value(), nullptr);
    }

    void add(const TestEntry& test) {
        const auto& outcome = test.outcome;
        tests += outcome == "error" && test.failed_phase == "teardown" ? 2 : 1;
        failures += outcome == "failed";
        errors += outcome == "error";
        skipped += outcome == "skipped" || outcome == "xfailed" || outcome == "not_run";
        time += test.duration_s;
    }

    void write(pugi::xml_node suite) const {
        set(suite, "errors", std::to_string(errors));
        set(suite, "failures", std::to_string(failures));
        set(suite, "skipped", std::to_string(skipped));
        set(suite, "tests", std::to_string(tests));
        set(suite, "time", fmt::format("{:.3f}", time));
    }
};

}  // namespace

Patch merge_junit(const std::vector<std::string>& attempts, const std::vector<TestEntry>& tests,
                  const RepairContext& context) {
    pugi::xml_document doc;
    pugi::xml_node base;
    Counts counts;
    std::set<Name> present;
    for (std::size_t i = 0; i < attempts.size(); ++i) {
        pugi::xml_document attempt;
        auto parsed = attempt.load_buffer(attempts[i].data(), attempts[i].size(), kParseOptions,
                                          pugi::encoding_utf8);
        if (!parsed) {
            return Patch::failure(
                fmt::format("not valid XML ({} at byte {})", parsed.description(), parsed.offset));
        }
        auto suites = suites_of(attempt.document_element());
        if (suites.empty() && std::string_view(attempt.document_element().name()) != "testsuites") {
            return Patch::failure("not a JUnit XML file (the root element is <" +
                                  std::string(attempt.document_element().name()) + ">)");
        }
        for (auto suite : suites) {
            counts.add(suite);
        }
        if (!base) {
            doc.reset(attempt);
            auto mine = suites_of(doc.document_element());
            base = mine.empty() ? doc.document_element().append_child("testsuite") : mine.front();
            for (std::size_t s = 1; s < mine.size(); ++s) {  // one suite holds them all
                while (auto testcase = mine[s].child("testcase")) {
                    base.append_move(testcase);
                }
                doc.document_element().remove_child(mine[s]);
            }
        } else {
            for (auto suite : suites) {
                for (auto testcase : suite.children("testcase")) {
                    base.append_copy(testcase);
                }
            }
        }
    }
    if (!base) {
        auto declaration = doc.append_child(pugi::node_declaration);
        declaration.append_attribute("version") = "1.0";
        declaration.append_attribute("encoding") = "utf-8";
        base = doc.append_child("testsuites").append_child("testsuite");
        set(base, "name", "pytest");
        set(base, "timestamp", context.timestamp);
        set(base, "hostname", context.hostname);
    }
    for (auto testcase : base.children("testcase")) {
        present.emplace(testcase.attribute("classname").value(),
                        testcase.attribute("name").value());
    }
    Patch patch;
    for (const auto& test : tests) {
        auto parts = split_node_id(test.nodeid);
        if (present.contains({parts.junit_classname, parts.junit_name})) {
            continue;
        }
        add_test(base, test);
        present.emplace(parts.junit_classname, parts.junit_name);
        counts.add(test);
        ++patch.added;
    }
    counts.write(base);
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
    patch.text = out.str() + "\n";
    return patch;
}

std::string order_junit(const std::string& text, const std::vector<std::string>& nodeids) {
    pugi::xml_document doc;
    if (!doc.load_buffer(text.data(), text.size(), kParseOptions, pugi::encoding_utf8)) {
        return text;
    }
    std::map<Name, std::size_t> rank;
    for (const auto& nodeid : nodeids) {
        auto parts = split_node_id(nodeid);
        rank.emplace(Name{parts.junit_classname, parts.junit_name}, rank.size());
    }
    for (auto suite : suites_of(doc.document_element())) {
        std::vector<std::pair<std::size_t, pugi::xml_node>> cases;
        for (auto testcase : suite.children("testcase")) {
            auto found = rank.find(
                Name{testcase.attribute("classname").value(), testcase.attribute("name").value()});
            cases.emplace_back(found == rank.end() ? rank.size() : found->second, testcase);
        }
        std::stable_sort(cases.begin(), cases.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [position, testcase] : cases) {
            suite.append_move(testcase);  // in order, after whatever else the suite holds
        }
    }
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
    std::string ordered = out.str();
    if (!text.empty() && text.back() == '\n') {
        ordered += '\n';
    }
    return ordered;
}

}  // namespace blackbox::repair
