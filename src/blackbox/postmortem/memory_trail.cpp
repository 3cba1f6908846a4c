#include <algorithm>
#include <deque>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <blackbox/base/saturating.hpp>
#include <blackbox/postmortem/memory_trail.hpp>
#include <blackbox/postmortem/recent_memory.hpp>
#include <blackbox/sample/trail_reader.hpp>

namespace blackbox::postmortem {

namespace {

constexpr std::int64_t kOpenEnd = std::numeric_limits<std::int64_t>::max();

// The processes of one sample as a tree, indexed on first use: the resident memory of a
// process and its descendants, in time linear in the sample (a crafted trail may list tens of
// thousands of processes, or parent links that loop).
class SampleTree {
  public:
    explicit SampleTree(const sample::Sample& sample) : sample_(sample) {}

    // The resident memory of `root` and its descendants; without parent links (an older trail)
    // the process alone, or the whole tree for its root. -1 when `root` is not in the sample.
    std::int64_t subtree_rss(long root) {
        const auto& procs = sample_.procs;
        if (!procs.empty() && procs.front().pid == root) {
            return static_cast<std::int64_t>(sample_.rss);
        }
        index();
        std::int64_t total = 0;
        bool found = false;
        std::vector<long> members{root};
        std::unordered_set<long> seen{root};
        for (std::size_t i = 0; i < members.size(); ++i) {
            long pid = members[i];
            auto [first, last] = std::equal_range(by_pid_.begin(), by_pid_.end(),
                                                  std::pair<long, std::size_t>{pid, 0}, by_key);
            for (auto it = first; it != last; ++it) {
                total =
                    base::saturating_add(total, static_cast<std::int64_t>(procs[it->second].rss));
                found = true;
            }
            auto [child, end] = std::equal_range(by_parent_.begin(), by_parent_.end(),
                                                 std::pair<long, std::size_t>{pid, 0}, by_key);
            for (; child != end; ++child) {
                long child_pid = procs[child->second].pid;
                if (seen.insert(child_pid).second) {
                    members.push_back(child_pid);
                }
            }
        }
        return found ? total : -1;
    }

  private:
    static bool by_key(const std::pair<long, std::size_t>& a,
                       const std::pair<long, std::size_t>& b) {
        return a.first < b.first;
    }

    void index() {
        if (indexed_) {
            return;
        }
        indexed_ = true;
        const auto& procs = sample_.procs;
        by_pid_.reserve(procs.size());
        by_parent_.reserve(procs.size());
        for (std::size_t i = 0; i < procs.size(); ++i) {
            by_pid_.emplace_back(procs[i].pid, i);
            if (procs[i].ppid != 0) {
                by_parent_.emplace_back(procs[i].ppid, i);
            }
        }
        std::sort(by_pid_.begin(), by_pid_.end());
        std::sort(by_parent_.begin(), by_parent_.end());
    }

    const sample::Sample& sample_;
    bool indexed_ = false;
    std::vector<std::pair<long, std::size_t>> by_pid_, by_parent_;
};

struct Span {
    std::size_t test;
    long pid;
    std::int64_t start, end;
    std::int64_t before = -1;  // the subtree at the last sample before the start
    std::int64_t first = -1, last = -1, peak = -1;
};

std::int64_t test_start(const TestResult& test) {
    for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
        if (*phase && (*phase)->begin_ns != 0) {
            return (*phase)->begin_ns;
        }
    }
    return 0;
}

std::int64_t test_end(const TestResult& test) {
    if (test.outcome == "crashed" || !test.teardown || test.teardown->end_ns == 0) {
        return kOpenEnd;
    }
    return test.teardown->end_ns;
}

void finish(Span& span, std::deque<TestResult>& tests, std::int64_t after) {
    auto& test = tests[span.test];
    std::int64_t peak = span.peak >= 0 ? span.peak : std::max(span.before, after);
    if (peak >= 0) {
        test.peak_tree_rss_bytes = peak;
    }
    std::int64_t from = span.before >= 0 ? span.before : span.first;
    std::int64_t to = span.last >= 0 ? span.last : after;
    if (from >= 0 && to >= 0) {
        test.tree_rss_growth_bytes = base::saturating_sub(to, from);
    }
}

}  // namespace

void add_memory_trail(RunModel& run, const std::filesystem::path& samples) {
    std::vector<Span> spans;
    spans.reserve(run.tests.size());  // one per test at most; a 100,000-test run grows no copy
    for (std::size_t i = 0; i < run.tests.size(); ++i) {
        auto start = test_start(run.tests[i]);
        if (start != 0 && run.tests[i].pid != 0) {
            spans.push_back({i, run.tests[i].pid, start, test_end(run.tests[i])});
        }
    }
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.start < b.start; });
    std::size_t next = 0;
    std::vector<std::size_t> active;  // indices into spans
    // Only the processes the journals name are followed (the trail may name millions).
    std::unordered_set<long> followed;
    for (const auto& span : spans) {
        followed.insert(span.pid);
    }
    for (const auto& crash : run.crashes) {
        followed.insert(crash.pid);
    }
    std::unordered_map<long, std::int64_t> last_of_pid;  // each process's subtree, last sample
    // … and the trail at that sample: the oldest point kept before it, and its own point.
    std::unordered_map<long, std::pair<MemoryPoint, MemoryPoint>> window_of_pid;
    RecentMemory tail(kBeforeEndNs);
    RunMemory& memory = run.memory;

    sample::TrailHandlers handlers;
    handlers.on_header = [&](const sample::SamplerHeader& header) {
        if (!memory.limit && header.cgroup && header.cgroup->limit && header.cgroup->limit->bytes) {
            memory.limit = static_cast<std::int64_t>(*header.cgroup->limit->bytes);
        }
    };
    handlers.on_sample = [&](const sample::Sample& sample) {
        memory.sampled = true;
        auto rss = static_cast<std::int64_t>(sample.rss);
        memory.peak_tree_rss = std::max(memory.peak_tree_rss, rss);
        MemoryPoint point{sample.ns, rss, std::nullopt, std::nullopt};
        if (sample.mem.available) {
            point.available = static_cast<std::int64_t>(*sample.mem.available);
        }
        if (sample.cg && sample.cg->usage) {
            point.cgroup_usage = static_cast<std::int64_t>(*sample.cg->usage);
        }
        tail.add(point);
        SampleTree tree(sample);
        while (next < spans.size() && spans[next].start <= sample.ns) {
            auto found = last_of_pid.find(spans[next].pid);
            spans[next].before = found == last_of_pid.end() ? -1 : found->second;
            active.push_back(next++);
        }
        for (auto it = active.begin(); it != active.end();) {
            auto& span = spans[*it];
            std::int64_t value = tree.subtree_rss(span.pid);
            if (value == 0) {
                value = -1;  // being killed: no figure
            }
            if (sample.ns > span.end) {
                finish(span, run.tests, value);
                it = active.erase(it);
                continue;
            }
            if (value >= 0) {
                span.first = span.first < 0 ? value : span.first;
                span.last = value;
                span.peak = std::max(span.peak, value);
            }
            ++it;
        }
        for (const auto& process : sample.procs) {
            if (followed.count(process.pid) == 0) {
                continue;
            }
            // A process being killed (or a zombie) reads as nothing: its memory at death is
            // that of the last sample where it still had some.
            auto value = tree.subtree_rss(process.pid);
            if (value > 0) {
                last_of_pid[process.pid] = value;
                window_of_pid[process.pid] = {tail.oldest(), tail.newest()};
            }
        }
    };
    sample::for_each_sample(samples, handlers);
    if (!memory.sampled) {
        return;
    }
    for (auto index : active) {
        finish(spans[index], run.tests, -1);
    }
    memory.before_end = tail.points();

    // The dying process's tree at its last sample.
    for (auto& crash : run.crashes) {
        auto found = last_of_pid.find(crash.pid);
        if (found != last_of_pid.end() && found->second >= 0) {
            crash.rss_bytes = found->second;
            const auto& [before, at] = window_of_pid[crash.pid];
            crash.memory_before = before;
            crash.memory_at = at;
        }
    }
    // Cause or casualty: the test that grew the tree most, when that is not the crashed one.
    if (!run.crashes.empty()) {
        std::optional<std::size_t> largest;
        for (std::size_t i = 0; i < run.tests.size(); ++i) {
            auto growth = run.tests[i].tree_rss_growth_bytes;
            if (growth && *growth > 0 &&
                (!largest || *growth > *run.tests[*largest].tree_rss_growth_bytes)) {
                largest = i;
            }
        }
        constexpr std::int64_t kNotable = 64 * 1024 * 1024;
        if (largest && run.tests[*largest].outcome != "crashed" &&
            *run.tests[*largest].tree_rss_growth_bytes >= kNotable) {
            memory.suspect = largest;
        }
    }
}

}  // namespace blackbox::postmortem
