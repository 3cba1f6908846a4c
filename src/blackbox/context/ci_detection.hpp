#pragma once

// Which continuous-integration system runs us, from the environment variables each one sets.
// The variables and the order they are tried in are listed in docs/formats/context.md.

#include <functional>
#include <optional>
#include <string>

namespace blackbox::context {

struct CiInfo {
    // "github-actions", "gitlab-ci", "jenkins", "circleci", "travis-ci", "buildkite", "drone",
    // "bitbucket-pipelines", "azure-pipelines", or "generic" (only CI=true or the like).
    std::string name;
    std::optional<std::string> build;   // the build/run/pipeline id or number the CI shows
    std::optional<std::string> branch;  // the branch built (a pull request's source branch)
    std::optional<std::string> commit;  // the commit built
    std::optional<std::string> url;     // the web page of this build or job
};

// An environment lookup: the value of a variable, or nullopt when unset.
using Getenv = std::function<std::optional<std::string>(const std::string& name)>;

// The CI system the variables describe, or nullopt outside CI. A variable set to the empty
// string counts as unset (CIs export empty values, e.g. TRAVIS_PULL_REQUEST_BRANCH on a push).
// The specific systems are tried before the generic CI=true. Never throws.
std::optional<CiInfo> detect_ci(const Getenv& getenv);

}  // namespace blackbox::context
