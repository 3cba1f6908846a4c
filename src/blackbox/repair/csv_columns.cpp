#include <blackbox/repair/csv_columns.hpp>
#include <blackbox/repair/node_id.hpp>
#include <blackbox/repair/python_text.hpp>

namespace blackbox::repair {

std::string csv_column(const std::string& column, const CsvResult& result,
                       const RepairContext& context) {
    if (column == "id" || column == "nodeid") {
        return result.nodeid;
    }
    if (column == "status" || column == "outcome") {
        return result.status;
    }
    if (column == "success") {
        return result.status == "failed" || result.status == "error" ? "True" : "False";
    }
    if (column == "message") {
        return result.message;
    }
    if (column == "duration") {
        return python_float(result.duration);
    }
    if (column == "duration_formatted") {
        return python_timedelta(result.duration);
    }
    if (column == "host") {
        return context.hostname;
    }
    if (column == "working_directory") {
        return context.root;
    }
    auto parts = split_node_id(result.nodeid);
    if (column == "module") {
        return parts.module;
    }
    if (column == "class") {
        return parts.test_class;
    }
    if (column == "function") {
        return parts.function;
    }
    if (column == "name") {
        return parts.name;
    }
    if (column == "file") {
        return parts.file;
    }
    return {};
}

}  // namespace blackbox::repair
