#include "session_selection.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/text_scan.hpp>

namespace blackbox::compare {

namespace {

// Selectors that name nothing are the user's mistake: the documented status for it is 2.
constexpr int kSelectionError = 2;

constexpr std::size_t kMinimumHashPrefix = 4;

bool is_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string sessions_phrase(std::size_t count) {
    return count == 1 ? "1 session" : fmt::format("{} sessions", count);
}

}  // namespace

const Session& resolve_session(const std::vector<Session>& sessions, std::string_view selector) {
    if (sessions.empty()) {
        throw Error("the metrics database holds no session yet", kSelectionError);
    }
    if (selector == "latest") {
        return sessions.back();
    }
    if (selector.starts_with("latest~")) {
        auto back = base::parse_u64(selector.substr(7));
        if (!back) {
            throw Error(fmt::format("'{}': expected latest~N with N a whole number", selector),
                        kSelectionError);
        }
        if (*back >= sessions.size()) {
            throw Error(fmt::format("'{}': the database holds only {}", selector,
                                    sessions_phrase(sessions.size())),
                        kSelectionError);
        }
        return sessions[sessions.size() - 1 - *back];
    }
    std::string run_id(selector);
    if (run_id.find('/') != std::string::npos) {
        auto path = std::filesystem::path(run_id).lexically_normal();
        run_id = (path.has_filename() ? path.filename() : path.parent_path().filename()).string();
    }
    for (const auto& session : sessions) {
        if (session.run_id == run_id) {
            return session;
        }
    }
    if (selector.size() >= kMinimumHashPrefix && is_hex(selector)) {
        std::string prefix(selector);
        std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                       [](char c) { return static_cast<char>(std::tolower(c)); });
        const Session* match = nullptr;
        std::vector<std::string> candidates;
        for (const auto& session : sessions) {
            if (session.session_h.starts_with(prefix)) {
                match = &session;
                candidates.push_back(session.run_id);
            }
        }
        if (candidates.size() == 1) {
            return *match;
        }
        if (candidates.size() > 1) {
            throw Error(fmt::format("'{}' is the start of several sessions' SESSION_H (runs {}); "
                                    "give more digits",
                                    selector, fmt::join(candidates, ", ")),
                        kSelectionError);
        }
    }
    throw Error(fmt::format("no session '{}' in the metrics database: name a run id, a SESSION_H "
                            "prefix, latest or latest~N",
                            selector),
                kSelectionError);
}

Selection select_default(const std::vector<Session>& sessions, std::size_t last,
                         bool require_same_context, std::size_t min_sessions) {
    Selection selection;
    if (sessions.empty()) {
        selection.note = "the metrics database holds no session yet";
        return selection;
    }
    selection.now = sessions.back();
    const auto& now = *selection.now;
    std::vector<Session> same;
    std::vector<Session> any;
    std::vector<std::string> other_settings;  // for people, each once
    // Walk back from the one before the newest, keeping the `last` most recent of each kind.
    for (auto it = sessions.rbegin() + 1; it != sessions.rend(); ++it) {
        if (it->settings != now.settings) {
            selection.other_settings += 1;
            auto text = settings_for_people(it->settings);
            if (std::find(other_settings.begin(), other_settings.end(), text) ==
                other_settings.end()) {
                other_settings.push_back(std::move(text));
            }
            continue;
        }
        if (it->env_h == now.env_h && same.size() < last) {
            same.push_back(*it);
        }
        if (any.size() < last) {
            any.push_back(*it);
        }
    }
    std::reverse(same.begin(), same.end());
    std::reverse(any.begin(), any.end());
    const auto settings = settings_for_people(now.settings);
    const auto others =
        fmt::format("{} with other settings ({})", sessions_phrase(selection.other_settings),
                    fmt::join(other_settings, "; "));
    if (any.empty()) {
        selection.note =
            selection.other_settings == 0
                ? fmt::format("run {} is the only session in the metrics database", now.run_id)
                : fmt::format(
                      "no session before run {} ran with its settings ({}); the {} are "
                      "not comparable with it",
                      now.run_id, settings, others);
        return selection;
    }
    const bool enough_here = same.size() >= std::max<std::size_t>(min_sessions, 1);
    if (enough_here || same.size() == any.size() || require_same_context) {
        if (same.empty()) {
            selection.note = fmt::format(
                "no session before run {} with its settings ({}) ran on its execution context "
                "(ENV_H {}), and --same-context refuses the {} on other contexts",
                now.run_id, settings, now.env_h.substr(0, 8), sessions_phrase(any.size()));
            return selection;
        }
        selection.baseline = std::move(same);
        if (selection.other_settings != 0) {
            selection.note = fmt::format("{} before it are left out", others);
        }
        return selection;
    }
    selection.baseline = std::move(any);
    selection.same_context = std::all_of(selection.baseline.begin(), selection.baseline.end(),
                                         [&](const Session& s) { return s.env_h == now.env_h; });
    selection.note = fmt::format(
        "{} with its settings ran on this execution context (ENV_H {}): the baseline is the "
        "last {} on any context, so differences between machines count as noise",
        same.empty() ? std::string("no session")
                     : fmt::format("only {}", sessions_phrase(same.size())),
        now.env_h.substr(0, 8), sessions_phrase(selection.baseline.size()));
    return selection;
}

Selection select_explicit(const std::vector<Session>& sessions, std::string_view base_selector,
                          std::string_view now_selector) {
    Selection selection;
    const auto& base = resolve_session(sessions, base_selector);
    const auto& now =
        now_selector.empty() ? sessions.back() : resolve_session(sessions, now_selector);
    if (base.session_h == now.session_h) {
        throw Error(
            fmt::format("'{}' and '{}' are the same session (run {}): nothing to compare",
                        base_selector, now_selector.empty() ? "latest" : now_selector, now.run_id),
            kSelectionError);
    }
    selection.now = now;
    selection.baseline.push_back(base);
    selection.same_context = base.env_h == now.env_h;
    selection.same_settings = base.settings == now.settings;
    std::vector<std::string> notes;
    if (!selection.same_settings) {
        notes.push_back(fmt::format("the two sessions ran with different settings ({} against {})",
                                    settings_for_people(base.settings),
                                    settings_for_people(now.settings)));
    }
    if (!selection.same_context) {
        notes.push_back("the two sessions ran on different execution contexts");
    }
    if (!notes.empty()) {
        selection.note =
            fmt::format("{}, so those differences show as changes", fmt::join(notes, ", and "));
    }
    return selection;
}

}  // namespace blackbox::compare
