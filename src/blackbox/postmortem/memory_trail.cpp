#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <blackbox/base/saturating.hpp>
#include <blackbox/postmortem/memory_trail.hpp>
#include <blackbox/postmortem/recent_memory.hpp>
#include <blackbox/sample/trail_reader.hpp>

namespace blackbox::postmortem {

namespace {

constexpr std::int64_t kOpenEnd = std::numeric_limits<std::int64_t>::max();

// A process and its descendants at one sample: their resident memory, and the same without
// counting a shared page twice (RunMemory::tree_measure). -1: no figure.
struct Subtree {
    std::int64_t rss = -1;
    std::int64_t pss = -1;
    bool alone = false;     // the process without descendants: its RSS is the figure
    std::size_t count = 0;  // its processes
};

// The processes of one sample as a tree, indexed on first use: the memory of a process and its
// descendants, in time linear in the sample (a crafted trail may list tens of thousands of
// processes, or parent links that loop).
class SampleTree {
  public:
    // `pss_measured`: the trail's sampler reads PSS (else RSS stands for it).
    SampleTree(const sample::Sample& sample, bool pss_measured)
        : sample_(sample), pss_measured_(pss_measured) {}

    // `root` and its descendants; without parent links (an older trail) the process alone, or
    // the whole tree for its root. Both figures -1 when `root` is not in the sample. Without
    // double counting: one process, its RSS; several, the sum of their PSS when this sample read
    // it for each of them, else no figure (-1); RSS where the trail has no PSS.
    Subtree subtree(long root) {
        const auto& procs = sample_.procs;
        if (!procs.empty() && procs.front().pid == root) {
            auto rss = static_cast<std::int64_t>(sample_.rss);
            std::int64_t pss = -1;
            if (procs.size() == 1 || !pss_measured_) {
                pss = rss;
            } else if (sample_.pss) {
                pss = static_cast<std::int64_t>(*sample_.pss);
            }
            return {rss, pss, procs.size() == 1, procs.size()};
        }
        index();
        std::int64_t total = 0, pss_total = 0;
        std::size_t count = 0;
        bool all_pss = true;
        std::vector<long> members{root};
        std::unordered_set<long> seen{root};
        for (std::size_t i = 0; i < members.size(); ++i) {
            long pid = members[i];
            auto [first, last] = std::equal_range(by_pid_.begin(), by_pid_.end(),
                                                  std::pair<long, std::size_t>{pid, 0}, by_key);
            for (auto it = first; it != last; ++it) {
                const auto& process = procs[it->second];
                total = base::saturating_add(total, static_cast<std::int64_t>(process.rss));
                if (process.pss) {
                    pss_total =
                        base::saturating_add(pss_total, static_cast<std::int64_t>(*process.pss));
                } else {
                    all_pss = false;
                }
                ++count;
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
        if (count == 0) {
            return {};
        }
        std::int64_t pss = -1;
        if (count == 1 || !pss_measured_) {
            pss = total;
        } else if (all_pss) {
            pss = pss_total;
        }
        return {total, pss, count == 1, count};
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
    bool pss_measured_;
    bool indexed_ = false;
    std::vector<std::pair<long, std::size_t>> by_pid_, by_parent_;
};

// One measure of a test's subtree across the test; `*_alone`: the process had no descendants
// at that sample.
struct Course {
    std::int64_t before = -1;  // at the last sample with a figure before the start
    std::int64_t first = -1, last = -1, peak = -1;
    bool before_alone = false, first_alone = false, last_alone = false;

    void add(std::int64_t value, bool alone) {
        if (value > 0) {  // 0: being killed, no figure
            if (first < 0) {
                first = value;
                first_alone = alone;
            }
            last = value;
            last_alone = alone;
            peak = std::max(peak, value);
        }
    }
};

struct Span {
    std::size_t test;
    long pid;
    std::int64_t start, end;
    Course rss, pss;
    std::int64_t next_start = kOpenEnd;  // the next test's start in the same process
    std::int64_t previous_end = 0;       // the previous test's end in the same process
    // The samples between two PSS reads (the read is rarer than the sample) against those
    // with a PSS figure, per count of processes in the subtree: the highest RSS of each, and
    // the smallest double count (RSS less PSS) a read found. A child that came, or grew, between
    // two reads shows only in the former.
    struct Read {
        std::int64_t rss = -1, gap = std::numeric_limits<std::int64_t>::max();
    };
    std::map<std::size_t, Read> read;
    std::map<std::size_t, std::int64_t> unread;

    void add(const Subtree& value) {
        rss.add(value.rss, value.alone);
        pss.add(value.pss, value.alone);
        if (value.count < 2) {
            return;  // one process counts no page twice: nothing to compare a later sample with
        }
        if (value.pss > 0) {
            auto& at = read[value.count];
            at.rss = std::max(at.rss, value.rss);
            at.gap = std::min(at.gap, std::max<std::int64_t>(value.rss - value.pss, 0));
        } else if (value.rss > 0) {
            auto& highest = unread[value.count];
            highest = std::max(highest, value.rss);
        }
    }

    // The most processes a sample without PSS found beyond any read during the test (0: none):
    // the double count of so many is known only from a read after the test.
    std::size_t unread_beyond_reads() const {
        std::size_t most_read = read.empty() ? 0 : read.rbegin()->first;
        return unread.empty() || unread.rbegin()->first <= most_read ? 0 : unread.rbegin()->first;
    }

    // The subtree's peak estimated from the samples without PSS that rose above every read of
    // as many processes: their RSS less the double count the read of the nearest count at or
    // above found, else `later_gap` (a read after the test; 0, an upper bound, without one);
    // -1: no such sample.
    std::int64_t unread_peak() const {
        std::int64_t peak = -1;
        for (const auto& [count, highest] : unread) {
            auto nearest = read.lower_bound(count);
            std::int64_t gap = later_gap;
            if (nearest != read.end()) {
                if (nearest->first == count && highest <= nearest->second.rss) {
                    continue;  // a read saw as many processes at least as large
                }
                gap = nearest->second.gap;
            }
            peak = std::max(peak, base::saturating_sub(highest, gap));
        }
        return peak;
    }

    // Set when the test ends: the double count of the first read after it of at least
    // unread_beyond_reads() processes, and the sample after the test its PSS figures use.
    std::int64_t later_gap = 0;
    Subtree pss_after;
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

struct Figures {
    std::optional<std::int64_t> peak, added, growth;
    bool peak_from_rss = false;  // the peak is Span::unread_peak, estimated from RSS
};

// A test's figures in one measure; `after`: the first figure after its end (-1: none).
Figures figures_of(const Course& course, std::int64_t after) {
    Figures figures;
    std::int64_t peak = course.peak >= 0 ? course.peak : std::max(course.before, after);
    if (peak >= 0) {
        figures.peak = peak;
    }
    std::int64_t from = course.before >= 0 ? course.before : course.first;
    std::int64_t to = course.last >= 0 ? course.last : after;
    if (from >= 0 && to >= 0) {
        figures.growth = base::saturating_sub(to, from);
    }
    if (from >= 0 && peak >= 0) {
        figures.added = std::max<std::int64_t>(base::saturating_sub(peak, from), 0);
    }
    return figures;
}

// The figures without double counting, where the plugin's exact figures of the test's own
// process replace the samples around the test: a sample is up to one interval away from the
// test's start or end, and what the process did in between (collecting a module, the next
// test) is not the test's. Where the process had no descendants, its RSS is the tree's figure,
// and the plugin measured exactly that at the start (rss_before), after the teardown
// (rss_after) and at the peak (peak_rss).
// `unread_peak`: Span::unread_peak, which stands for the peak when above it.
Figures pss_figures(const Course& course, Subtree after, const TestResult& test,
                    std::int64_t unread_peak) {
    // The start: the sample before it (taken after the previous test ended), else the exact
    // start of the process (no sample showed a descendant), else the first sample inside.
    std::int64_t from = course.before;
    bool from_alone = course.before_alone;
    if (from < 0 && test.rss_before_bytes) {
        from_alone = true;
    } else if (from < 0) {
        from = course.first;
        from_alone = course.first_alone;
    }
    if (from_alone && test.rss_before_bytes) {
        from = *test.rss_before_bytes;
    }
    // The end: the first sample after it (taken before the next test began), else the last one
    // inside; with the process alone, or no sample at all, its exact end.
    std::int64_t to = course.last;
    bool to_alone = course.last_alone || to < 0;
    if (after.pss > 0) {
        to = after.pss;
        to_alone = after.alone;
    }
    if (to_alone && test.rss_after_bytes) {
        to = *test.rss_after_bytes;
    }
    // Inside the test, the samples and the process's exact peak; a test shorter than the
    // interval has no sample inside: what it began and ended with.
    std::int64_t peak = std::max({course.peak, from, to});
    if (test.peak_rss_bytes) {
        peak = std::max(peak, *test.peak_rss_bytes);
    }
    Figures figures;
    if (unread_peak > peak) {
        peak = unread_peak;
        figures.peak_from_rss = true;
    }
    if (peak >= 0) {
        figures.peak = peak;
    }
    if (from >= 0 && to >= 0) {
        figures.growth = base::saturating_sub(to, from);
    }
    if (from >= 0 && peak >= 0) {
        figures.added = std::max<std::int64_t>(base::saturating_sub(peak, from), 0);
    }
    return figures;
}

// The test's figures without double counting, once span.later_gap is known.
void finish_pss(Span& span, std::deque<TestResult>& tests) {
    auto& test = tests[span.test];
    auto pss = pss_figures(span.pss, span.pss_after, test, span.unread_peak());
    test.peak_tree_pss_bytes = pss.peak;
    test.tree_pss_from_rss = pss.peak_from_rss;
    test.tree_pss_added_bytes = pss.added;
    test.tree_pss_growth_bytes = pss.growth;
}

// Whether `value`, a later sample of the span's process, read the PSS of as many processes as
// the test's samples found beyond its reads: then its double count is the span's later_gap.
bool takes_gap_from(Span& span, const Subtree& value) {
    if (value.pss <= 0 || value.count < span.unread_beyond_reads()) {
        return false;
    }
    span.later_gap = std::max<std::int64_t>(base::saturating_sub(value.rss, value.pss), 0);
    return true;
}

// `after`: the first sample after the test's end, taken at `after_ns` (a crashed test has none).
// Returns false when the figures without double counting wait for a later read (finish_pss).
bool finish(Span& span, std::deque<TestResult>& tests, Subtree after, std::int64_t after_ns) {
    auto& test = tests[span.test];
    auto rss = figures_of(span.rss, after.rss > 0 ? after.rss : -1);
    test.peak_tree_rss_bytes = rss.peak;
    test.tree_rss_growth_bytes = rss.growth;
    // A sample taken once the next test began shows that test's doing, not this one's; but if
    // it finds the process alone, no descendant of this test outlived it either.
    span.pss_after = after_ns <= span.next_start || after.alone ? after : Subtree{};
    if (span.unread_beyond_reads() > 0 && !takes_gap_from(span, after)) {
        return false;
    }
    finish_pss(span, tests);
    return true;
}

}  // namespace

void add_memory_trail(RunModel& run, const std::filesystem::path& samples) {
    std::vector<Span> spans;
    spans.reserve(run.tests.size());  // one per test at most; a 100,000-test run grows no copy
    for (std::size_t i = 0; i < run.tests.size(); ++i) {
        auto start = test_start(run.tests[i]);
        if (start != 0 && run.tests[i].pid != 0) {
            spans.push_back({i,
                             run.tests[i].pid,
                             start,
                             test_end(run.tests[i]),
                             {},
                             {},
                             kOpenEnd,
                             0,
                             {},
                             {},
                             0,
                             {}});
        }
    }
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.start < b.start; });
    std::unordered_map<long, std::int64_t> neighbour_of_pid;
    for (auto span = spans.rbegin(); span != spans.rend(); ++span) {
        auto [found, fresh] = neighbour_of_pid.try_emplace(span->pid, span->start);
        if (!fresh) {
            span->next_start = found->second;
            found->second = span->start;
        }
    }
    neighbour_of_pid.clear();
    for (auto& span : spans) {
        auto [found, fresh] = neighbour_of_pid.try_emplace(span.pid, span.end);
        if (!fresh) {
            span.previous_end = found->second;
            found->second = span.end;
        }
    }
    std::size_t next = 0;
    std::vector<std::size_t> active;  // indices into spans
    // Ended spans whose figures without double counting wait for a read of their process's
    // subtree (Span::later_gap); when the subtree shrinks first, or leaves the trail, 0 stands
    // for the gap (an upper bound). A span waits only while its children live on.
    std::vector<std::size_t> waiting;
    // Only the processes the journals name are followed (the trail may name millions).
    std::unordered_set<long> followed;
    for (const auto& span : spans) {
        followed.insert(span.pid);
    }
    for (const auto& crash : run.crashes) {
        followed.insert(crash.pid);
    }
    std::unordered_map<long, std::int64_t> last_of_pid;  // each process's subtree, last sample
    // … the last one with a figure without double counting: when, and whether the process was
    // alone
    struct Seen {
        std::int64_t ns, value;
        bool alone;
    };
    std::unordered_map<long, Seen> last_pss_of_pid;
    // … and the trail at that sample: the oldest point kept before it, and its own point.
    std::unordered_map<long, std::pair<MemoryPoint, MemoryPoint>> window_of_pid;
    RecentMemory tail(kBeforeEndNs);
    RunMemory& memory = run.memory;
    bool pss_measured = false;               // the current segment's sampler reads PSS
    std::optional<std::uint64_t> oom_kills;  // the cgroup's count at the previous sample

    sample::TrailHandlers handlers;
    handlers.on_header = [&](const sample::SamplerHeader& header) {
        if (!memory.limit && header.cgroup && header.cgroup->limit && header.cgroup->limit->bytes) {
            memory.limit = static_cast<std::int64_t>(*header.cgroup->limit->bytes);
        }
        // Each attempt's sampler writes its own header (and cgroup, and counts).
        pss_measured = header.pss_interval_s.has_value();
        if (pss_measured) {
            memory.tree_measure = "pss";
        }
        oom_kills.reset();
    };
    handlers.on_sample = [&](const sample::Sample& sample) {
        memory.sampled = true;
        auto rss = static_cast<std::int64_t>(sample.rss);
        memory.peak_tree_rss = std::max(memory.peak_tree_rss, rss);
        if (sample.mem.total) {
            memory.mem_total = static_cast<std::int64_t>(*sample.mem.total);
        }
        if (sample.cg && sample.cg->oom_kill) {
            if (oom_kills && *sample.cg->oom_kill > *oom_kills) {
                memory.oom_kills_ns.push_back(sample.ns);
            }
            oom_kills = sample.cg->oom_kill;
        }
        MemoryPoint point{sample.ns, rss, std::nullopt, std::nullopt};
        if (sample.mem.available) {
            point.available = static_cast<std::int64_t>(*sample.mem.available);
        }
        if (sample.cg && sample.cg->usage) {
            point.cgroup_usage = static_cast<std::int64_t>(*sample.cg->usage);
        }
        tail.add(point);
        SampleTree tree(sample, pss_measured);
        if (!sample.procs.empty()) {
            auto whole = tree.subtree(sample.procs.front().pid);
            if (whole.pss > 0) {
                memory.peak_tree_pss = std::max(memory.peak_tree_pss.value_or(0), whole.pss);
            }
        }
        while (next < spans.size() && spans[next].start <= sample.ns) {
            auto& span = spans[next];
            auto found = last_of_pid.find(span.pid);
            span.rss.before = found == last_of_pid.end() ? -1 : found->second;
            auto found_pss = last_pss_of_pid.find(span.pid);
            // A sample taken before the previous test ended shows that test's doing.
            if (found_pss != last_pss_of_pid.end() && found_pss->second.ns >= span.previous_end) {
                span.pss.before = found_pss->second.value;
                span.pss.before_alone = found_pss->second.alone;
            }
            active.push_back(next++);
        }
        for (auto it = active.begin(); it != active.end();) {
            auto& span = spans[*it];
            Subtree value = tree.subtree(span.pid);
            if (sample.ns > span.end) {
                if (!finish(span, run.tests, value, sample.ns)) {
                    waiting.push_back(*it);
                }
                it = active.erase(it);
                continue;
            }
            span.add(value);
            ++it;
        }
        for (auto it = waiting.begin(); it != waiting.end();) {
            auto& span = spans[*it];
            Subtree value = tree.subtree(span.pid);
            // Once the processes are fewer again, no read will find their double count.
            bool still = value.rss > 0 && value.count >= span.unread_beyond_reads();
            if (still && !takes_gap_from(span, value)) {
                ++it;
                continue;
            }
            finish_pss(span, run.tests);
            it = waiting.erase(it);
        }
        for (const auto& process : sample.procs) {
            if (followed.count(process.pid) == 0) {
                continue;
            }
            // A process being killed (or a zombie) reads as nothing: its memory at death is
            // that of the last sample where it still had some.
            Subtree value = tree.subtree(process.pid);
            if (value.rss > 0) {
                last_of_pid[process.pid] = value.rss;
                window_of_pid[process.pid] = {tail.oldest(), tail.newest()};
            }
            if (value.pss > 0) {
                last_pss_of_pid[process.pid] = {sample.ns, value.pss, value.alone};
            }
        }
    };
    sample::for_each_sample(samples, handlers);
    if (!memory.sampled) {
        return;
    }
    for (auto index : active) {
        if (!finish(spans[index], run.tests, Subtree{}, kOpenEnd)) {
            waiting.push_back(index);
        }
    }
    for (auto index : waiting) {
        finish_pss(spans[index], run.tests);
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
}

}  // namespace blackbox::postmortem
