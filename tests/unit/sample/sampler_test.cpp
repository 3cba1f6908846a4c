#include <atomic>
#include <chrono>
#include <csignal>
#include <pthread.h>
#include <thread>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/sample/sampler.hpp>
#include <blackbox/sample/trail_reader.hpp>

#include "../file_size_limit.hpp"
#include "sample_support.hpp"

namespace blackbox::sample {
namespace {

using namespace std::chrono_literals;

// Polls `done` for up to 3 s.
template <typename Predicate>
bool eventually(Predicate done) {
    auto deadline = std::chrono::steady_clock::now() + 3s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

SamplerOptions fast_options(pid_t root, const std::filesystem::path& output) {
    SamplerOptions options;
    options.root = root;
    options.output = output;
    options.interval = 10ms;
    options.top_interval = 30ms;
    return options;
}

TEST(Sampler, WritesAParseableTrailWithAHeaderAndSamples) {
    test_support::TempDir dir;
    test_support::SpawnedGroup shell({"sh", "-c", "sleep 2 & sleep 2 & wait"});
    auto path = dir.path() / "samples.jsonl";
    std::size_t written = 0;
    {
        Sampler sampler(fast_options(shell.pid(), path));
        ASSERT_TRUE(eventually([&] {
            auto latest = sampler.latest();
            return sampler.stats().samples >= 5 && latest && latest->procs.size() == 3;
        }));
        sampler.stop();
        written = sampler.stats().samples;
        EXPECT_GE(sampler.stats().tops, 1U);
    }
    std::vector<std::string> order;
    std::vector<Sample> samples;
    std::vector<Note> notes;
    TrailHandlers handlers;
    handlers.on_header = [&](const SamplerHeader& header) {
        order.push_back("sampler");
        EXPECT_EQ(header.root, shell.pid());
        EXPECT_EQ(header.interval_s, 0.01);
        EXPECT_EQ(header.tree, "children");
    };
    handlers.on_sample = [&](const Sample& sample) {
        order.push_back("sample");
        samples.push_back(sample);
    };
    handlers.on_top = [&](const TopRecord& top) {
        order.push_back("top");
        EXPECT_FALSE(top.procs.empty());
    };
    handlers.on_note = [&](const Note& note) {
        order.push_back("note");
        notes.push_back(note);
    };
    TrailSummary summary = for_each_sample(path, handlers);
    EXPECT_EQ(summary.skipped, 0U);
    EXPECT_FALSE(summary.torn_tail);
    ASSERT_FALSE(order.empty());
    EXPECT_EQ(order.front(), "sampler");
    EXPECT_EQ(samples.size(), written);
    EXPECT_EQ(samples.back().procs.size(), 3U);
    EXPECT_GT(samples.back().rss, 0U);
    for (std::size_t i = 1; i < samples.size(); ++i) {
        EXPECT_GT(samples[i].ns, samples[i - 1].ns);
    }
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_EQ(notes[0].what, "stopped");
    EXPECT_EQ(order.back(), "note");
}

TEST(Sampler, TheDestructorStopsPromptlyMidInterval) {
    auto options = fast_options(::getpid(), "");
    options.interval = 10s;
    auto start = std::chrono::steady_clock::now();
    {
        Sampler sampler(options);
        ASSERT_TRUE(eventually([&] { return sampler.latest().has_value(); }));
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(Sampler, AFullDiskLosesTrailLinesButNotTheSampling) {
    test_support::TempDir dir;
    blackbox::testing::FileSizeLimit full(0);
    Sampler sampler(fast_options(::getpid(), dir.path() / "samples.jsonl"));
    ASSERT_TRUE(eventually([&] { return sampler.stats().samples >= 3; }));
    SamplerStats stats = sampler.stats();
    EXPECT_EQ(stats.write_errno, EFBIG);
    EXPECT_FALSE(stats.failure);
    ASSERT_TRUE(sampler.trail_loss());
    EXPECT_GE(sampler.trail_loss()->amount, 3U);
    ASSERT_TRUE(sampler.latest());
    EXPECT_FALSE(sampler.latest()->procs.empty());
}

TEST(Sampler, ADeviceInPlaceOfTheTrailIsNeverWritten) {
    Sampler sampler(fast_options(::getpid(), "/dev/full"));
    ASSERT_TRUE(eventually([&] { return sampler.stats().samples >= 2; }));
    EXPECT_EQ(sampler.stats().write_errno, EINVAL);  // not a regular file
}

TEST(Sampler, AnUnwritableDirectoryIsNotFatal) {
    Sampler sampler(fast_options(::getpid(), "/nonexistent/dir/samples.jsonl"));
    ASSERT_TRUE(eventually([&] { return sampler.stats().samples >= 2; }));
    EXPECT_EQ(sampler.stats().write_errno, ENOENT);
}

TEST(Sampler, AnExceptionInTheLoopStopsSamplingOnlyAndIsNotedOnce) {
    test_support::TempDir dir;
    auto path = dir.path() / "samples.jsonl";
    auto options = fast_options(::getpid(), path);
    std::atomic<int> calls{0};
    options.on_sample = [&](const Sample&) {
        ++calls;
        throw Error("watchdog exploded");
    };
    {
        Sampler sampler(options);
        ASSERT_TRUE(eventually([&] { return sampler.stats().failure.has_value(); }));
        std::this_thread::sleep_for(50ms);
        EXPECT_EQ(calls.load(), 1);
        EXPECT_EQ(sampler.stats().samples, 1U);
        EXPECT_EQ(*sampler.stats().failure, "watchdog exploded");
    }
    std::vector<Note> notes;
    TrailHandlers handlers;
    handlers.on_note = [&](const Note& note) { notes.push_back(note); };
    for_each_sample(path, handlers);
    ASSERT_EQ(notes.size(), 2U);
    EXPECT_EQ(notes[0].what, "error");
    EXPECT_NE(notes[0].text.find("watchdog exploded"), std::string::npos);
    EXPECT_EQ(notes[1].what, "stopped");
}

TEST(Sampler, ItsThreadBlocksEverySignal) {
    std::atomic<int> blocked{-1};
    auto options = fast_options(::getpid(), "");
    options.on_sample = [&](const Sample&) {
        sigset_t mask;
        pthread_sigmask(SIG_SETMASK, nullptr, &mask);
        blocked = sigismember(&mask, SIGINT) && sigismember(&mask, SIGTERM) &&
                  sigismember(&mask, SIGCHLD) && sigismember(&mask, SIGWINCH);
    };
    sigset_t before;
    pthread_sigmask(SIG_SETMASK, nullptr, &before);
    Sampler sampler(options);
    ASSERT_TRUE(eventually([&] { return blocked.load() != -1; }));
    EXPECT_EQ(blocked.load(), 1);
    sigset_t after;
    pthread_sigmask(SIG_SETMASK, nullptr, &after);
    EXPECT_EQ(sigismember(&after, SIGINT), sigismember(&before, SIGINT));
}

TEST(Sampler, NotesFromOtherThreadsJoinTheTrail) {
    test_support::TempDir dir;
    auto path = dir.path() / "samples.jsonl";
    {
        Sampler sampler(fast_options(::getpid(), path));
        std::thread watchdog([&] { sampler.note("hang", "no progress for 60 s", 1234); });
        watchdog.join();
    }
    std::vector<Note> notes;
    TrailHandlers handlers;
    handlers.on_note = [&](const Note& note) { notes.push_back(note); };
    for_each_sample(path, handlers);
    ASSERT_EQ(notes.size(), 2U);
    EXPECT_EQ(notes[0].what, "hang");
    EXPECT_EQ(notes[0].pid, 1234);
}

TEST(Sampler, RefusesNonsenseOptions) {
    EXPECT_THROW(Sampler(fast_options(0, "")), Error);
    auto options = fast_options(::getpid(), "");
    options.interval = 0s;
    EXPECT_THROW(Sampler{options}, Error);
}

}  // namespace
}  // namespace blackbox::sample
