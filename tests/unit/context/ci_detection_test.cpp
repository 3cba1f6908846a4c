#include <map>

#include <gtest/gtest.h>

#include <blackbox/context/ci_detection.hpp>

namespace blackbox::context {
namespace {

using Variables = std::map<std::string, std::string>;

std::optional<CiInfo> detect(const Variables& variables) {
    return detect_ci([&variables](const std::string& name) -> std::optional<std::string> {
        auto found = variables.find(name);
        return found != variables.end() ? std::optional<std::string>(found->second) : std::nullopt;
    });
}

TEST(CiDetection, NoVariablesMeansNoCi) {
    EXPECT_EQ(detect({}), std::nullopt);
}

TEST(CiDetection, GitHubActionsGivesRunIdAndBranch) {
    auto ci = detect({{"CI", "true"},
                      {"GITHUB_ACTIONS", "true"},
                      {"GITHUB_RUN_ID", "7360154831"},
                      {"GITHUB_RUN_ATTEMPT", "2"},
                      {"GITHUB_REF", "refs/heads/feature/speed"},
                      {"GITHUB_REF_NAME", "feature/speed"},
                      {"GITHUB_REF_TYPE", "branch"},
                      {"GITHUB_HEAD_REF", ""},
                      {"GITHUB_SHA", "ffac537e6cbbf934b08745a378932722df287a53"},
                      {"GITHUB_SERVER_URL", "https://github.com"},
                      {"GITHUB_REPOSITORY", "octo/widgets"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "github-actions");
    EXPECT_EQ(ci->build, "7360154831");
    EXPECT_EQ(ci->branch, "feature/speed");
    EXPECT_EQ(ci->commit, "ffac537e6cbbf934b08745a378932722df287a53");
    EXPECT_EQ(ci->url, "https://github.com/octo/widgets/actions/runs/7360154831/attempts/2");
}

TEST(CiDetection, GitHubPullRequestBranchIsTheHeadRef) {
    auto ci = detect({{"GITHUB_ACTIONS", "true"},
                      {"GITHUB_REF", "refs/pull/42/merge"},
                      {"GITHUB_REF_NAME", "42/merge"},
                      {"GITHUB_HEAD_REF", "fix-leak"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->branch, "fix-leak");
    EXPECT_EQ(ci->url, std::nullopt);  // no run id, no repository: no link to make
}

TEST(CiDetection, GitHubTagBuildHasNoBranch) {
    auto ci = detect({{"GITHUB_ACTIONS", "true"},
                      {"GITHUB_REF", "refs/tags/v1.0"},
                      {"GITHUB_REF_NAME", "v1.0"},
                      {"GITHUB_REF_TYPE", "tag"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->branch, std::nullopt);
}

TEST(CiDetection, GitHubWithoutRefNameStripsRefsHeads) {
    auto ci = detect({{"GITHUB_ACTIONS", "true"}, {"GITHUB_REF", "refs/heads/main"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->branch, "main");
}

TEST(CiDetection, GitLabGivesPipelineAndJobUrl) {
    auto ci = detect({{"CI", "true"},
                      {"GITLAB_CI", "true"},
                      {"CI_PIPELINE_ID", "1093467"},
                      {"CI_COMMIT_BRANCH", "main"},
                      {"CI_COMMIT_SHA", "1ecfd275763eff1d6b4844ea3168962458c9f27a"},
                      {"CI_JOB_URL", "https://gitlab.com/g/p/-/jobs/5812341"},
                      {"CI_PIPELINE_URL", "https://gitlab.com/g/p/-/pipelines/1093467"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "gitlab-ci");
    EXPECT_EQ(ci->build, "1093467");
    EXPECT_EQ(ci->branch, "main");
    EXPECT_EQ(ci->commit, "1ecfd275763eff1d6b4844ea3168962458c9f27a");
    EXPECT_EQ(ci->url, "https://gitlab.com/g/p/-/jobs/5812341");
}

TEST(CiDetection, GitLabMergeRequestBranchIsTheSourceBranch) {
    auto ci = detect({{"GITLAB_CI", "true"},
                      {"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "topic"},
                      {"CI_PIPELINE_URL", "https://gitlab.com/g/p/-/pipelines/1"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->branch, "topic");
    EXPECT_EQ(ci->url, "https://gitlab.com/g/p/-/pipelines/1");
}

TEST(CiDetection, JenkinsGivesBuildNumberAndBranchWithoutRemote) {
    auto ci = detect({{"JENKINS_URL", "https://ci.example.com/"},
                      {"BUILD_NUMBER", "118"},
                      {"BUILD_ID", "118"},
                      {"JOB_NAME", "widgets"},
                      {"GIT_BRANCH", "origin/release-2"},
                      {"GIT_COMMIT", "0a1b2c"},
                      {"BUILD_URL", "https://ci.example.com/job/widgets/118/"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "jenkins");
    EXPECT_EQ(ci->build, "118");
    EXPECT_EQ(ci->branch, "release-2");
    EXPECT_EQ(ci->commit, "0a1b2c");
    EXPECT_EQ(ci->url, "https://ci.example.com/job/widgets/118/");
}

TEST(CiDetection, JenkinsMultibranchWithoutJenkinsUrl) {
    auto ci = detect({{"BUILD_NUMBER", "7"}, {"BRANCH_NAME", "PR-12"}, {"CHANGE_BRANCH", "topic"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "jenkins");
    EXPECT_EQ(ci->branch, "topic");
}

TEST(CiDetection, BuildNumberAloneIsNotJenkins) {
    EXPECT_EQ(detect({{"BUILD_NUMBER", "7"}}), std::nullopt);
}

TEST(CiDetection, CircleCi) {
    auto ci = detect({{"CI", "true"},
                      {"CIRCLECI", "true"},
                      {"CIRCLE_BUILD_NUM", "4242"},
                      {"CIRCLE_BRANCH", "main"},
                      {"CIRCLE_SHA1", "abc123"},
                      {"CIRCLE_BUILD_URL", "https://circleci.com/gh/o/r/4242"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "circleci");
    EXPECT_EQ(ci->build, "4242");
    EXPECT_EQ(ci->branch, "main");
    EXPECT_EQ(ci->commit, "abc123");
    EXPECT_EQ(ci->url, "https://circleci.com/gh/o/r/4242");
}

TEST(CiDetection, TravisEmptyPullRequestBranchFallsBackToBranch) {
    auto ci = detect({{"TRAVIS", "true"},
                      {"TRAVIS_BUILD_NUMBER", "311"},
                      {"TRAVIS_PULL_REQUEST_BRANCH", ""},
                      {"TRAVIS_BRANCH", "main"},
                      {"TRAVIS_COMMIT", "def456"},
                      {"TRAVIS_BUILD_WEB_URL", "https://app.travis-ci.com/o/r/builds/311"},
                      {"TRAVIS_JOB_WEB_URL", "https://app.travis-ci.com/o/r/jobs/9"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "travis-ci");
    EXPECT_EQ(ci->build, "311");
    EXPECT_EQ(ci->branch, "main");
    EXPECT_EQ(ci->commit, "def456");
    EXPECT_EQ(ci->url, "https://app.travis-ci.com/o/r/jobs/9");
}

TEST(CiDetection, Buildkite) {
    auto ci = detect({{"BUILDKITE", "true"},
                      {"BUILDKITE_BUILD_NUMBER", "1514"},
                      {"BUILDKITE_BRANCH", "main"},
                      {"BUILDKITE_COMMIT", "83a20ec"},
                      {"BUILDKITE_BUILD_URL", "https://buildkite.com/acme/widgets/builds/1514"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "buildkite");
    EXPECT_EQ(ci->build, "1514");
    EXPECT_EQ(ci->url, "https://buildkite.com/acme/widgets/builds/1514");
}

TEST(CiDetection, DronePrefersTheSourceBranch) {
    auto ci = detect({{"DRONE", "true"},
                      {"DRONE_BUILD_NUMBER", "88"},
                      {"DRONE_BRANCH", "main"},
                      {"DRONE_SOURCE_BRANCH", "feature"},
                      {"DRONE_COMMIT_SHA", "9f2a"},
                      {"DRONE_BUILD_LINK", "https://drone.example.com/o/r/88"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "drone");
    EXPECT_EQ(ci->build, "88");
    EXPECT_EQ(ci->branch, "feature");
    EXPECT_EQ(ci->commit, "9f2a");
    EXPECT_EQ(ci->url, "https://drone.example.com/o/r/88");
}

TEST(CiDetection, BitbucketPipelinesBuildsItsResultsUrl) {
    auto ci = detect({{"CI", "true"},
                      {"BITBUCKET_BUILD_NUMBER", "57"},
                      {"BITBUCKET_BRANCH", "main"},
                      {"BITBUCKET_COMMIT", "c0ffee"},
                      {"BITBUCKET_REPO_FULL_NAME", "team/widgets"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "bitbucket-pipelines");
    EXPECT_EQ(ci->build, "57");
    EXPECT_EQ(ci->branch, "main");
    EXPECT_EQ(ci->commit, "c0ffee");
    EXPECT_EQ(ci->url, "https://bitbucket.org/team/widgets/addon/pipelines/home#!/results/57");
}

TEST(CiDetection, AzurePipelinesStripsRefsHeadsAndEncodesTheProject) {
    auto ci = detect({{"TF_BUILD", "True"},
                      {"BUILD_BUILDID", "20311"},
                      {"BUILD_BUILDNUMBER", "20240105.3"},
                      {"BUILD_SOURCEBRANCH", "refs/heads/users/ann/fix"},
                      {"BUILD_SOURCEVERSION", "5e1f"},
                      {"SYSTEM_COLLECTIONURI", "https://dev.azure.com/acme/"},
                      {"SYSTEM_TEAMPROJECT", "Widget Team"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "azure-pipelines");
    EXPECT_EQ(ci->build, "20311");
    EXPECT_EQ(ci->branch, "users/ann/fix");
    EXPECT_EQ(ci->commit, "5e1f");
    EXPECT_EQ(ci->url, "https://dev.azure.com/acme/Widget%20Team/_build/results?buildId=20311");
}

TEST(CiDetection, AzurePullRequestUsesItsSourceBranchAndTagsHaveNone) {
    auto ci = detect({{"TF_BUILD", "True"},
                      {"BUILD_SOURCEBRANCH", "refs/pull/3/merge"},
                      {"SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/topic"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->branch, "topic");
    ci = detect({{"TF_BUILD", "True"}, {"BUILD_SOURCEBRANCH", "refs/tags/v2"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->branch, std::nullopt);
}

TEST(CiDetection, GenericCiTrueHasOnlyAName) {
    auto ci = detect({{"CI", "true"}});
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->name, "generic");
    EXPECT_EQ(ci->build, std::nullopt);
    EXPECT_EQ(ci->branch, std::nullopt);
    EXPECT_EQ(ci->commit, std::nullopt);
    EXPECT_EQ(ci->url, std::nullopt);
    EXPECT_TRUE(detect({{"CI", "1"}}));
    EXPECT_TRUE(detect({{"CI", "woodpecker"}}));
}

TEST(CiDetection, CiFalseOrEmptyIsNotCi) {
    for (const char* no : {"false", "False", "0", "no", ""}) {
        EXPECT_EQ(detect({{"CI", no}}), std::nullopt) << no;
    }
    EXPECT_EQ(detect({{"GITHUB_ACTIONS", "false"}}), std::nullopt);
}

}  // namespace
}  // namespace blackbox::context
