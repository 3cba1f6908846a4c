#include <algorithm>
#include <cerrno>
#include <unordered_set>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/children.hpp>
#include <blackbox/sample/proc_smaps_rollup.hpp>
#include <blackbox/sample/proc_stat.hpp>
#include <blackbox/sample/proc_status.hpp>
#include <blackbox/sample/process_tree.hpp>

namespace blackbox::sample {

namespace {

std::string proc_path(pid_t pid, const char* leaf) {
    return "/proc/" + std::to_string(pid) + leaf;
}

std::optional<pid_t> pid_name(const std::string& name) {
    std::optional<std::uint64_t> value = base::parse_u64(name);
    if (!value || *value == 0 || *value > 0x7fffffff) {
        return std::nullopt;
    }
    return static_cast<pid_t>(*value);
}

// Breadth-first from `starts` over `visit` (which appends a pid's children and returns false
// when the pid is gone), each pid once: a reused pid cannot make a loop.
template <typename Visit>
void breadth_first(const std::vector<pid_t>& starts, pid_t excluded, Visit&& visit) {
    std::vector<pid_t> queue;
    std::unordered_set<pid_t> seen;
    for (pid_t start : starts) {
        if (start != excluded && seen.insert(start).second) {
            queue.push_back(start);
        }
    }
    std::vector<pid_t> children;
    for (std::size_t next = 0; next < queue.size(); ++next) {
        children.clear();
        visit(queue[next], children);
        for (pid_t child : children) {
            if (child != excluded && seen.insert(child).second) {
                queue.push_back(child);
            }
        }
    }
}

}  // namespace

ProcessTree::ProcessTree(ProcFs fs, pid_t root, std::uint64_t page_size, pid_t subreaper)
    : fs_(std::move(fs)), root_(root), page_size_(page_size), subreaper_(subreaper) {
    // A kernel without CONFIG_PROC_CHILDREN has the task directory but not the file.
    std::string task = proc_path(root_, "/task/") + std::to_string(root_);
    bool files = fs_.exists(task + "/children") || !fs_.exists(task);
    method_ = files ? TreeMethod::children_files : TreeMethod::proc_scan;
}

std::optional<ProcessTree::Seen> ProcessTree::look_at(pid_t pid) {
    auto it = tracked_.find(pid);
    bool fresh = it == tracked_.end();
    if (fresh || !ProcFs::read_from(it->second.stat.get(), buffer_)) {
        // First sight of the pid, or its process was reaped (ESRCH) and the pid may be reused.
        base::UniqueFd fd = fs_.open(proc_path(pid, "/stat"));
        if (!fd || !ProcFs::read_from(fd.get(), buffer_)) {
            if (!fresh) {
                tracked_.erase(it);
            }
            return std::nullopt;
        }
        it = tracked_.insert_or_assign(pid, Tracked{std::move(fd), 0, 0, 0, {}}).first;
    }
    std::optional<ProcStat> stat = parse_proc_stat(buffer_);
    if (!stat) {
        return std::nullopt;
    }
    Tracked& tracked = it->second;
    if (stat->starttime != tracked.starttime || stat->threads != tracked.threads ||
        ++tracked.age >= kRelistEvery) {
        tracked.children.clear();  // another process, or other threads: list them again
        tracked.starttime = stat->starttime;
        tracked.threads = stat->threads;
        tracked.age = 0;
    }
    return Seen{&tracked, stat->rss_pages, stat->ppid};
}

bool ProcessTree::list_threads(pid_t pid, Tracked& tracked) {
    tracked.children.clear();
    std::string task = proc_path(pid, "/task/");
    std::optional<std::vector<std::string>> tids = fs_.list(task);
    if (!tids) {
        return true;  // vanished
    }
    for (const std::string& name : *tids) {
        if (!pid_name(name)) {
            continue;
        }
        base::UniqueFd fd = fs_.open(task + name + "/children");
        if (fd) {
            tracked.children.push_back(std::move(fd));
        } else if (fs_.exists(task + name)) {
            return false;  // the thread is there but its children file is not readable
        }
    }
    return true;
}

bool ProcessTree::append_children(pid_t pid, Tracked& tracked, std::vector<pid_t>& children) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (tracked.children.empty() && !list_threads(pid, tracked)) {
            return false;
        }
        std::size_t before = children.size();
        bool complete = true;
        for (const base::UniqueFd& fd : tracked.children) {
            if (!ProcFs::read_from(fd.get(), buffer_)) {
                complete = false;  // list the threads again
                break;
            }
            parse_children(buffer_, children);
        }
        if (complete) {
            return true;
        }
        children.resize(before);
        tracked.children.clear();
    }
    return true;
}

void ProcessTree::add_member(TreeSample& tree, pid_t pid, const Seen& seen) {
    std::uint64_t rss = seen.rss_pages * page_size_;
    tree.procs.push_back({pid, rss, seen.ppid, std::nullopt});
    tree.rss += rss;
}

std::optional<std::vector<pid_t>> ProcessTree::walk_children_files(TreeSample& tree) {
    bool readable = true;
    std::vector<pid_t> starts{root_};
    if (subreaper_ != 0) {
        if (std::optional<Seen> seen = look_at(subreaper_)) {
            readable = append_children(subreaper_, *seen->tracked, starts);
        }
    }
    std::vector<pid_t> members;
    breadth_first(starts, subreaper_, [&](pid_t pid, std::vector<pid_t>& children) {
        std::optional<Seen> seen = readable ? look_at(pid) : std::nullopt;
        if (!seen) {
            return;  // vanished during the walk
        }
        members.push_back(pid);
        add_member(tree, pid, *seen);
        readable = append_children(pid, *seen->tracked, children);
    });
    if (!readable) {
        return std::nullopt;
    }
    return members;
}

std::vector<pid_t> ProcessTree::scan_members() {
    std::unordered_multimap<pid_t, pid_t> children_by_parent;
    if (std::optional<std::vector<std::string>> names = fs_.list("/proc")) {
        for (const std::string& name : *names) {
            std::optional<pid_t> pid = pid_name(name);
            if (!pid || !fs_.read(proc_path(*pid, "/stat"), buffer_)) {
                continue;
            }
            if (std::optional<ProcStat> stat = parse_proc_stat(buffer_)) {
                children_by_parent.emplace(stat->ppid, stat->pid);
            }
        }
    }
    auto children_of = [&](pid_t pid, std::vector<pid_t>& children) {
        std::size_t before = children.size();
        auto [first, last] = children_by_parent.equal_range(pid);
        for (auto it = first; it != last; ++it) {
            children.push_back(it->second);
        }
        // Directory order is not sorted on every file system: keep the order stable.
        std::sort(children.begin() + static_cast<std::ptrdiff_t>(before), children.end());
    };
    std::vector<pid_t> starts{root_};
    if (subreaper_ != 0) {
        children_of(subreaper_, starts);
    }
    std::vector<pid_t> members;
    breadth_first(starts, subreaper_, [&](pid_t pid, std::vector<pid_t>& children) {
        members.push_back(pid);
        children_of(pid, children);
    });
    return members;
}

void ProcessTree::read_pss(TreeSample& tree) {
    std::uint64_t total = 0;
    bool complete = true;
    for (ProcessMemory& process : tree.procs) {
        if (!fs_.read(proc_path(process.pid, "/smaps_rollup"), buffer_)) {
            // ENOENT: reaped since the walk; ESRCH: a zombie, or exited while we read.
            if (errno == ENOENT || errno == ESRCH) {
                process.pss = 0;
                continue;
            }
            complete = false;
            continue;
        }
        process.pss = parse_smaps_rollup_pss(buffer_);
        if (!process.pss) {
            complete = false;
            continue;
        }
        total += *process.pss;
    }
    tree.pss = complete ? std::optional<std::uint64_t>(total) : std::nullopt;
}

TreeSample ProcessTree::sample(bool with_swap) {
    TreeSample tree;
    std::vector<pid_t> members;
    if (method_ == TreeMethod::children_files) {
        if (std::optional<std::vector<pid_t>> walked = walk_children_files(tree)) {
            members = std::move(*walked);
        } else {
            method_ = TreeMethod::proc_scan;
            samples_since_scan_ = 0;
            tree = TreeSample{};
        }
    }
    if (method_ == TreeMethod::proc_scan) {
        if (samples_since_scan_++ % kScanEvery == 0) {
            members_ = scan_members();
        }
        for (pid_t pid : members_) {
            if (std::optional<Seen> seen = look_at(pid)) {
                members.push_back(pid);
                add_member(tree, pid, *seen);
            }
        }
        members_ = members;
    }
    std::erase_if(tracked_, [&](const auto& entry) {
        return entry.first != subreaper_ &&
               std::find(members.begin(), members.end(), entry.first) == members.end();
    });

    if (with_swap) {
        tree.swap = 0;
        for (const ProcessMemory& process : tree.procs) {
            if (!fs_.read(proc_path(process.pid, "/status"), buffer_)) {
                tree.swap.reset();
                break;
            }
            // A zombie has no VmSwap line: it holds nothing.
            *tree.swap += parse_proc_status(buffer_).vm_swap.value_or(0);
        }
    }
    return tree;
}

}  // namespace blackbox::sample
