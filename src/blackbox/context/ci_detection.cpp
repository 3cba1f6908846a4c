#include <initializer_list>
#include <string_view>

#include <blackbox/context/ci_detection.hpp>

namespace blackbox::context {

namespace {

// The environment with empty values read as unset.
class Env {
  public:
    explicit Env(const Getenv& getenv) : getenv_(getenv) {}

    std::optional<std::string> get(const std::string& name) const {
        std::optional<std::string> value = getenv_(name);
        if (value && value->empty()) {
            return std::nullopt;
        }
        return value;
    }

    // The value of the first of `names` that is set.
    std::optional<std::string> first(std::initializer_list<const char*> names) const {
        for (const char* name : names) {
            if (std::optional<std::string> value = get(name)) {
                return value;
            }
        }
        return std::nullopt;
    }

    bool has(const std::string& name) const { return get(name).has_value(); }

    // "true", "True", "1", "yes": CIs differ in how they spell yes (Azure says "True").
    bool is_true(const std::string& name) const {
        std::optional<std::string> value = get(name);
        return value &&
               (lowercase(*value) == "true" || *value == "1" || lowercase(*value) == "yes");
    }

    static std::string lowercase(std::string text) {
        for (char& c : text) {
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        return text;
    }

  private:
    const Getenv& getenv_;
};

std::optional<std::string> without_prefix(std::optional<std::string> text,
                                          std::string_view prefix) {
    if (text && text->starts_with(prefix)) {
        text->erase(0, prefix.size());
    }
    return text;
}

// A git ref as a branch name: "refs/heads/x" -> "x"; other refs (tags, pull requests) -> nullopt.
std::optional<std::string> branch_of_ref(const std::optional<std::string>& ref) {
    if (!ref || !ref->starts_with("refs/")) {
        return ref;
    }
    if (ref->starts_with("refs/heads/")) {
        return ref->substr(std::string_view("refs/heads/").size());
    }
    return std::nullopt;
}

// Percent-encodes everything but RFC 3986 unreserved characters (for a URL path segment).
std::string percent_encode(std::string_view text) {
    constexpr char kHex[] = "0123456789ABCDEF";
    std::string encoded;
    for (char c : text) {
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            encoded += c;
        } else {
            auto byte = static_cast<unsigned char>(c);
            encoded += '%';
            encoded += kHex[byte >> 4];
            encoded += kHex[byte & 0xF];
        }
    }
    return encoded;
}

CiInfo github_actions(const Env& env) {
    CiInfo ci{"github-actions", env.get("GITHUB_RUN_ID"), env.get("GITHUB_HEAD_REF"),
              env.get("GITHUB_SHA"), std::nullopt};
    if (!ci.branch && env.get("GITHUB_REF_TYPE").value_or("branch") == "branch") {
        ci.branch = env.has("GITHUB_REF_NAME") ? env.get("GITHUB_REF_NAME")
                                               : branch_of_ref(env.get("GITHUB_REF"));
    }
    std::optional<std::string> repository = env.get("GITHUB_REPOSITORY");
    if (ci.build && repository) {
        ci.url = env.get("GITHUB_SERVER_URL").value_or("https://github.com") + "/" + *repository +
                 "/actions/runs/" + *ci.build;
        if (std::optional<std::string> attempt = env.get("GITHUB_RUN_ATTEMPT")) {
            *ci.url += "/attempts/" + *attempt;
        }
    }
    return ci;
}

CiInfo gitlab_ci(const Env& env) {
    return {"gitlab-ci", env.get("CI_PIPELINE_ID"),
            env.first({"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH"}),
            env.get("CI_COMMIT_SHA"), env.first({"CI_JOB_URL", "CI_PIPELINE_URL"})};
}

CiInfo jenkins(const Env& env) {
    // GIT_BRANCH (git plugin) names the remote-tracking branch: "origin/main".
    std::optional<std::string> branch = env.first({"CHANGE_BRANCH", "BRANCH_NAME"});
    if (!branch) {
        branch = without_prefix(env.get("GIT_BRANCH"), "origin/");
    }
    return {"jenkins", env.first({"BUILD_NUMBER", "BUILD_ID"}), branch, env.get("GIT_COMMIT"),
            env.get("BUILD_URL")};
}

CiInfo circleci(const Env& env) {
    return {"circleci", env.get("CIRCLE_BUILD_NUM"), env.get("CIRCLE_BRANCH"),
            env.get("CIRCLE_SHA1"), env.get("CIRCLE_BUILD_URL")};
}

CiInfo travis_ci(const Env& env) {
    return {"travis-ci", env.get("TRAVIS_BUILD_NUMBER"),
            env.first({"TRAVIS_PULL_REQUEST_BRANCH", "TRAVIS_BRANCH"}), env.get("TRAVIS_COMMIT"),
            env.first({"TRAVIS_JOB_WEB_URL", "TRAVIS_BUILD_WEB_URL"})};
}

CiInfo buildkite(const Env& env) {
    return {"buildkite", env.get("BUILDKITE_BUILD_NUMBER"), env.get("BUILDKITE_BRANCH"),
            env.get("BUILDKITE_COMMIT"), env.get("BUILDKITE_BUILD_URL")};
}

CiInfo drone(const Env& env) {
    return {"drone", env.get("DRONE_BUILD_NUMBER"),
            env.first({"DRONE_SOURCE_BRANCH", "DRONE_BRANCH", "DRONE_COMMIT_BRANCH"}),
            env.first({"DRONE_COMMIT_SHA", "DRONE_COMMIT"}), env.get("DRONE_BUILD_LINK")};
}

CiInfo bitbucket_pipelines(const Env& env) {
    CiInfo ci{"bitbucket-pipelines", env.get("BITBUCKET_BUILD_NUMBER"), env.get("BITBUCKET_BRANCH"),
              env.get("BITBUCKET_COMMIT"), std::nullopt};
    // Pipelines exists only on bitbucket.org, which gives no URL variable for the build.
    if (std::optional<std::string> repository = env.get("BITBUCKET_REPO_FULL_NAME")) {
        ci.url =
            "https://bitbucket.org/" + *repository + "/addon/pipelines/home#!/results/" + *ci.build;
    }
    return ci;
}

CiInfo azure_pipelines(const Env& env) {
    CiInfo ci{"azure-pipelines", env.get("BUILD_BUILDID"),
              branch_of_ref(env.first({"SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH"})),
              env.get("BUILD_SOURCEVERSION"), std::nullopt};
    std::optional<std::string> collection =
        env.first({"SYSTEM_COLLECTIONURI", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI"});
    std::optional<std::string> project = env.get("SYSTEM_TEAMPROJECT");
    if (ci.build && collection && project) {
        if (!collection->ends_with('/')) {
            *collection += '/';
        }
        ci.url = *collection + percent_encode(*project) + "/_build/results?buildId=" + *ci.build;
    }
    return ci;
}

// CI=true (most systems set it; also CI=woodpecker and the like): anything but a "no".
bool generic_ci(const Env& env) {
    std::optional<std::string> value = env.get("CI");
    if (!value) {
        return false;
    }
    std::string lower = Env::lowercase(*value);
    return lower != "false" && lower != "0" && lower != "no";
}

}  // namespace

std::optional<CiInfo> detect_ci(const Getenv& getenv) {
    Env env(getenv);
    if (env.is_true("GITHUB_ACTIONS")) {
        return github_actions(env);
    }
    if (env.is_true("GITLAB_CI")) {
        return gitlab_ci(env);
    }
    if (env.is_true("CIRCLECI")) {
        return circleci(env);
    }
    if (env.is_true("TRAVIS")) {
        return travis_ci(env);
    }
    if (env.is_true("BUILDKITE")) {
        return buildkite(env);
    }
    if (env.is_true("DRONE")) {
        return drone(env);
    }
    if (env.is_true("TF_BUILD")) {
        return azure_pipelines(env);
    }
    if (env.has("BITBUCKET_BUILD_NUMBER")) {
        return bitbucket_pipelines(env);
    }
    // After the others: Jenkins has no yes/no variable, and BUILD_NUMBER alone is too common.
    if (env.has("JENKINS_URL") ||
        (env.has("BUILD_NUMBER") && (env.has("JOB_NAME") || env.has("BRANCH_NAME")))) {
        return jenkins(env);
    }
    if (generic_ci(env)) {
        return CiInfo{"generic", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    }
    return std::nullopt;
}

}  // namespace blackbox::context
