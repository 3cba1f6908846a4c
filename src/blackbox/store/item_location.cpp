#include <blackbox/store/item_location.hpp>

namespace blackbox::store {

namespace {

// `tests/test_x.py` -> `tests.test_x`: what a module's dotted name is under rootdir-relative
// imports (a doctest text file has no module: its path stands in).
std::string dotted(std::string_view file) {
    auto slash = file.rfind('/');
    auto dot = file.rfind('.');
    if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) {
        file = file.substr(0, dot);
    }
    std::string name(file);
    for (auto& c : name) {
        if (c == '/') {
            c = '.';
        }
    }
    return name;
}

// The node id's last part (`test_p[1]`) and its file part (`tests/test_x.py`).
std::string_view last_part(std::string_view nodeid) {
    auto colons = nodeid.rfind("::");
    return colons == std::string_view::npos ? nodeid : nodeid.substr(colons + 2);
}

std::string_view file_part(std::string_view nodeid) {
    return nodeid.substr(0, nodeid.find("::"));
}

std::string without_params(std::string_view name) {
    return std::string(name.substr(0, name.find('[')));
}

}  // namespace

ItemLocation item_location(const std::string& nodeid) {
    ItemLocation location;
    location.fs_loc = std::string(file_part(nodeid));
    location.item_path = dotted(location.fs_loc);
    location.variant = std::string(last_part(nodeid));
    location.item = without_params(location.variant);
    return location;
}

ItemLocation item_location(const journal::Record& item) {
    const auto nodeid = item.name("nodeid").value_or("");
    ItemLocation location;
    auto file = item.name("file");
    location.fs_loc = file ? std::move(*file) : std::string(file_part(nodeid));
    auto module = item.string("module");
    location.item_path = module ? std::string(*module) : dotted(location.fs_loc);
    location.variant = std::string(item.string("variant").value_or(last_part(nodeid)));
    auto func = item.string("func");
    location.item = func ? std::string(*func) : without_params(location.variant);
    location.component = std::string(item.string("component").value_or(""));
    location.monitored = item.boolean("monitored").value_or(true);
    return location;
}

}  // namespace blackbox::store
