// Which sessions are compared: selectors, and the default baseline on the same context.

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/compare/session_selection.hpp>

#include "memory_source.hpp"

namespace blackbox::compare {
namespace {

using testing::MemorySource;

std::vector<Session> sessions_on(const std::vector<std::string>& envs) {
    MemorySource source;
    for (const auto& env : envs) {
        source.add({}, env);
    }
    return source.sessions();
}

// Sessions on one context, each with the settings given.
std::vector<Session> sessions_with(const std::vector<std::string>& settings) {
    MemorySource source;
    for (const auto& each : settings) {
        source.add({}, "a", each);
    }
    return source.sessions();
}

std::vector<std::string> run_ids(const std::vector<Session>& sessions) {
    std::vector<std::string> ids;
    for (const auto& session : sessions) {
        ids.push_back(session.run_id);
    }
    return ids;
}

int selection_error_status(const std::vector<Session>& sessions, const std::string& selector) {
    try {
        resolve_session(sessions, selector);
    } catch (const Error& error) {
        return error.exit_code();
    }
    return 0;
}

TEST(ResolveSession, NamesTheNewestAndTheOnesBeforeIt) {
    auto sessions = sessions_on({"e", "e", "e"});
    EXPECT_EQ(resolve_session(sessions, "latest").run_id, "run-3");
    EXPECT_EQ(resolve_session(sessions, "latest~0").run_id, "run-3");
    EXPECT_EQ(resolve_session(sessions, "latest~2").run_id, "run-1");
    EXPECT_EQ(selection_error_status(sessions, "latest~3"), 2);
    EXPECT_EQ(selection_error_status(sessions, "latest~x"), 2);
}

TEST(ResolveSession, TakesARunIdOrARunDirectory) {
    auto sessions = sessions_on({"e", "e"});
    EXPECT_EQ(resolve_session(sessions, "run-1").run_id, "run-1");
    EXPECT_EQ(resolve_session(sessions, ".blackbox/runs/run-1/").run_id, "run-1");
    EXPECT_EQ(resolve_session(sessions, "/abs/.blackbox/runs/run-2").run_id, "run-2");
}

TEST(ResolveSession, TakesAUniqueSessionHashPrefix) {
    auto sessions = sessions_on({"e", "e", "e"});  // hashes 1111aaa…, 2222aaa…, 3333aaa…
    EXPECT_EQ(resolve_session(sessions, "2222").run_id, "run-2");
    EXPECT_EQ(resolve_session(sessions, MemorySource::hash(3)).run_id, "run-3");
    EXPECT_EQ(resolve_session(sessions, "3333AA").run_id, "run-3");
    EXPECT_EQ(selection_error_status(sessions, "222"), 2);  // too short to be taken as a hash
}

TEST(ResolveSession, RefusesAnAmbiguousPrefixAndAnUnknownName) {
    std::vector<Session> sessions(2);
    sessions[0].session_h = "abcd1111";
    sessions[0].run_id = "run-1";
    sessions[1].session_h = "abcd2222";
    sessions[1].run_id = "run-2";
    EXPECT_EQ(selection_error_status(sessions, "abcd"), 2);
    EXPECT_EQ(selection_error_status(sessions, "nope"), 2);
    EXPECT_EQ(selection_error_status({}, "latest"), 2);
}

TEST(SelectDefault, IsTheLastNSessionsBeforeTheNewestOnItsContext) {
    auto sessions = sessions_on({"a", "a", "b", "a", "a", "b", "a", "a"});
    auto selection = select_default(sessions, 3, false, 3);
    ASSERT_TRUE(selection.now);
    EXPECT_EQ(selection.now->run_id, "run-8");
    EXPECT_EQ(run_ids(selection.baseline), (std::vector<std::string>{"run-4", "run-5", "run-7"}));
    EXPECT_TRUE(selection.same_context);
    EXPECT_EQ(selection.note, "");
}

TEST(SelectDefault, TakesTheContextsWhenTheyAreEnough) {
    auto sessions = sessions_on({"b", "a", "b", "a"});
    auto selection = select_default(sessions, 5, false, 1);
    EXPECT_EQ(run_ids(selection.baseline), (std::vector<std::string>{"run-2"}));
    // One session cannot tell a test's noise: the last ones on any context can.
    selection = select_default(sessions, 5, false, 3);
    EXPECT_EQ(run_ids(selection.baseline), (std::vector<std::string>{"run-1", "run-2", "run-3"}));
    EXPECT_FALSE(selection.same_context);
    EXPECT_NE(selection.note.find("only 1 session with its settings ran on this execution"),
              std::string::npos)
        << selection.note;
}

TEST(SelectDefault, FallsBackToOtherContextsWithANote) {
    auto selection = select_default(sessions_on({"b", "c", "b", "a"}), 2, false, 3);
    EXPECT_EQ(run_ids(selection.baseline), (std::vector<std::string>{"run-2", "run-3"}));
    EXPECT_FALSE(selection.same_context);
    EXPECT_NE(selection.note.find("on any context"), std::string::npos) << selection.note;
}

TEST(SelectDefault, RequiringTheSameContextLeavesNoBaseline) {
    auto selection = select_default(sessions_on({"b", "a"}), 5, true, 3);
    EXPECT_TRUE(selection.baseline.empty());
    EXPECT_NE(selection.note.find("--same-context"), std::string::npos) << selection.note;
}

TEST(SelectDefault, TakesOnlySessionsWithTheSameSettings) {
    const std::string serial = R"({"workers":0})", two = R"({"workers":2})";
    auto selection = select_default(sessions_with({serial, two, serial, two, two}), 5, false, 1);
    EXPECT_EQ(run_ids(selection.baseline), (std::vector<std::string>{"run-2", "run-4"}));
    EXPECT_EQ(selection.other_settings, 2U);
    EXPECT_EQ(selection.note, "2 sessions with other settings (serial) before it are left out");
    selection = select_default(sessions_with({serial, serial, two}), 5, false, 1);
    EXPECT_TRUE(selection.baseline.empty());
    EXPECT_EQ(selection.note,
              "no session before run run-3 ran with its settings (2 xdist workers); the 2 sessions "
              "with other settings (serial) are not comparable with it");
}

TEST(SelectDefault, HasNoBaselineForASingleSessionOrNone) {
    auto one = select_default(sessions_on({"a"}), 5, false, 3);
    EXPECT_TRUE(one.now);
    EXPECT_TRUE(one.baseline.empty());
    EXPECT_EQ(one.note, "run run-1 is the only session in the metrics database");
    auto none = select_default({}, 5, false, 3);
    EXPECT_FALSE(none.now);
    EXPECT_TRUE(none.baseline.empty());
}

TEST(SelectExplicit, PutsBaseAgainstNewOrTheNewest) {
    auto sessions = sessions_on({"a", "a", "b"});
    auto selection = select_explicit(sessions, "run-1", "");
    EXPECT_EQ(selection.now->run_id, "run-3");
    EXPECT_EQ(run_ids(selection.baseline), (std::vector<std::string>{"run-1"}));
    EXPECT_FALSE(selection.same_context);
    EXPECT_NE(selection.note, "");
    auto between = select_explicit(sessions, "latest~2", "latest~1");
    EXPECT_EQ(between.now->run_id, "run-2");
    EXPECT_TRUE(between.same_context);
}

TEST(SelectExplicit, SaysWhenTheSettingsDiffer) {
    auto sessions = sessions_with({R"({"workers":0})", R"({"workers":2,"fsync":true})"});
    auto selection = select_explicit(sessions, "run-1", "");
    EXPECT_FALSE(selection.same_settings);
    EXPECT_EQ(selection.note,
              "the two sessions ran with different settings (serial against 2 xdist workers, "
              "fsync), so those differences show as changes");
}

TEST(SelectExplicit, RefusesToCompareASessionWithItself) {
    auto sessions = sessions_on({"a", "a"});
    try {
        select_explicit(sessions, "run-2", "latest");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.exit_code(), 2);
    }
}

}  // namespace
}  // namespace blackbox::compare
