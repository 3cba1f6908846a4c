#include <blackbox/base/error.hpp>
#include <blackbox/record/metrics_storage.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/ingest.hpp>

namespace blackbox::record {

void store_metrics(const postmortem::RunModel& run, const std::filesystem::path& database,
                   const std::filesystem::path& relative_to, std::ostream& out) noexcept {
    try {
        auto connection = store::open_database(database);
        store::ingest_run(connection, run);
        out << "blackbox: metrics stored in " << database.lexically_proximate(relative_to).string()
            << "\n";
    } catch (const std::exception& error) {
        // Error, or anything unforeseen (memory): the run's own result stands either way.
        try {
            out << "blackbox: warning: metrics not stored: " << error.what() << "\n";
        } catch (...) {
        }
    }
}

}  // namespace blackbox::record
