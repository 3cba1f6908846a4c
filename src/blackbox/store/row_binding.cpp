#include <blackbox/store/row_binding.hpp>

namespace blackbox::store {

void bind_metrics_columns(SQLite::Statement& statement, const MetricsRow& row) {
    bind_or_null(statement, 3, row.item_start_time);
    statement.bind(4, row.item_path);
    statement.bind(5, row.item);
    statement.bind(6, row.item_variant);
    statement.bind(7, row.item_fs_loc);
    statement.bind(8, row.kind);
    statement.bind(9, row.component);
    bind_or_null(statement, 10, row.total_time);
    bind_or_null(statement, 11, row.user_time);
    bind_or_null(statement, 12, row.kernel_time);
    bind_or_null(statement, 13, row.cpu_usage);
    bind_or_null(statement, 14, row.mem_usage);
}

}  // namespace blackbox::store
