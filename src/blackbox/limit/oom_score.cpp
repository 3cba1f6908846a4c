#include <string>

#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/limit/oom_score.hpp>

namespace blackbox::limit {

std::optional<supervise::PreExecWrite> oom_score_adj_write(int adj, int inherited) {
    if (adj < 0 || adj > 1000) {
        throw Error("oom_score_adj must be between 0 and 1000 (0 leaves it as inherited), not " +
                    std::to_string(adj));
    }
    if (adj == 0 || adj <= inherited) {
        return std::nullopt;
    }
    return supervise::PreExecWrite{"/proc/self/oom_score_adj", std::to_string(adj) + "\n", false};
}

int current_oom_score_adj() {
    auto text = base::read_file("/proc/self/oom_score_adj");
    if (!text) {
        return 0;
    }
    try {
        return std::stoi(*text);
    } catch (...) {
        return 0;
    }
}

}  // namespace blackbox::limit
