#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unistd.h>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/journal/reader.hpp>
#include <blackbox/postmortem/sessions.hpp>

namespace blackbox::postmortem {

namespace {

// `start` and `session_start` are a journal's first records, a few KiB at most: the head read
// is bounded, and a journal whose head is torn or garbage orders last.
constexpr std::size_t kHeadBytes = 256 * 1024;

struct Head {
    std::optional<std::int64_t> start_ns, session_ns;
    std::optional<long> ppid;
};

Head read_head(const journal::ProcessFiles& process) {
    Head head;
    auto opened = base::open_regular_file(process.journal);
    if (!opened.fd) {
        return head;
    }
    std::string text(kHeadBytes, '\0');
    std::size_t size = 0;
    while (size < text.size()) {
        auto got = ::read(opened.fd.get(), text.data() + size, text.size() - size);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        size += static_cast<std::size_t>(got);
    }
    text.resize(size);
    journal::for_each_record(text, "", [&head](const journal::Record& record) {
        if (head.session_ns) {
            return;
        }
        if (record.ev() == "start" && !head.start_ns) {
            head.start_ns = record.integer("ns");
            if (auto ppid = record.integer("ppid")) {
                head.ppid = static_cast<long>(*ppid);
            }
        } else if (record.ev() == "session_start") {
            head.session_ns = record.integer("ns");
        }
    });
    return head;
}

}  // namespace

std::size_t number_sessions(std::vector<journal::ProcessFiles>& files) {
    std::vector<Head> heads;
    heads.reserve(files.size());
    for (const auto& process : files) {
        heads.push_back(process.is_worker() ? Head{} : read_head(process));
    }
    // Each attempt's main processes, in the order their sessions started.
    constexpr auto kUnknown = std::numeric_limits<std::int64_t>::max();
    std::map<int, std::vector<std::size_t>> mains;  // attempt -> indexes into files
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (!files[i].is_worker()) {
            mains[files[i].attempt].push_back(i);
        }
    }
    std::size_t sessions = 1;
    std::map<std::pair<int, long>, int> by_pid;  // (attempt, main pid) -> session
    for (auto& [attempt, indexes] : mains) {
        auto key = [&](std::size_t i) {
            const auto& head = heads[i];
            return std::make_tuple(head.session_ns.value_or(head.start_ns.value_or(kUnknown)),
                                   head.start_ns.value_or(kUnknown), files[i].pid);
        };
        std::stable_sort(indexes.begin(), indexes.end(),
                         [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
        for (std::size_t k = 0; k < indexes.size(); ++k) {
            files[indexes[k]].session = static_cast<int>(k);
            by_pid[{attempt, files[indexes[k]].pid}] = static_cast<int>(k);
        }
        sessions = std::max(sessions, indexes.size());
    }
    if (sessions > 1) {
        // A worker's parent is its controller (xdist starts its workers itself); a worker whose
        // `start` is unreadable joins the attempt's first session.
        for (auto& process : files) {
            if (!process.is_worker()) {
                continue;
            }
            auto head = read_head(process);
            if (head.ppid) {
                if (auto found = by_pid.find({process.attempt, *head.ppid});
                    found != by_pid.end()) {
                    process.session = found->second;
                }
            }
        }
    }
    std::stable_sort(files.begin(), files.end(),
                     [](const journal::ProcessFiles& a, const journal::ProcessFiles& b) {
                         return std::make_pair(a.session, a.attempt) <
                                std::make_pair(b.session, b.attempt);
                     });
    return sessions;
}

std::string session_suffix(std::size_t sessions, int session) {
    return sessions > 1 ? " (session " + std::to_string(session + 1) + ")" : std::string();
}

}  // namespace blackbox::postmortem
