// The facts `pytest --blackbox` writes into run.json give the context the supervisor would have
// gathered. The cases are those the plugin's own Python gatherer answered before the context was
// derived here, so a plugin-mode user loses nothing: a PC, a Termux phone with neither os-release
// nor MHz, hidden files, every CI system.

#include <gtest/gtest.h>

#include <blackbox/context/recorded_sources.hpp>

#include "fake_sources.hpp"

namespace blackbox::context {
namespace {

using nlohmann::json;
using testing::recorded;

const char* const kProject = "/home/me/project";

json git_command(std::initializer_list<const char*> arguments, const char* stdout_text) {
    json argv = {"git", "-C", kProject};
    for (const char* argument : arguments) {
        argv.push_back(argument);
    }
    return {{"argv", argv}, {"stdout", stdout_text}};
}

// What the plugin records on the 2-vCPU x86_64 development VM, in a dirty work tree.
json x86_facts() {
    return {{"uname",
             {{"sysname", "Linux"},
              {"nodename", "vm"},
              {"release", "6.18.44-fc-v669"},
              {"version", "#1 SMP PREEMPT_DYNAMIC @0"},
              {"machine", "x86_64"}}},
            {"hostname", "vm"},
            {"online_cpus", 2},
            {"cwd", kProject},
            {"files",
             {{"/etc/os-release", recorded("os-release-debian12")},
              {"/proc/cpuinfo", recorded("cpuinfo-x86_64-xeon")},
              {"/proc/meminfo", recorded("meminfo-x86_64")}}},
            {"environ", json::object()},
            {"commands",
             {git_command({"rev-parse", "--verify", "--quiet", "HEAD"},
                          "9fceb02d0ae598e95dc970b74767f19372d61af8\n"),
              git_command({"symbolic-ref", "--quiet", "--short", "HEAD"}, "main\n"),
              git_command({"--no-optional-locks", "status", "--porcelain", "--untracked-files=no"},
                          " M setup.py\n")}}};
}

TEST(ContextFromFacts, RecordedX86MachineGivesEveryField) {
    json context = context_from_facts(x86_facts());
    EXPECT_EQ(context, json({{"hostname", "vm"},
                             {"kernel",
                              {{"sysname", "Linux"},
                               {"release", "6.18.44-fc-v669"},
                               {"version", "#1 SMP PREEMPT_DYNAMIC @0"}}},
                             {"machine", "x86_64"},
                             {"os",
                              {{"id", "debian"},
                               {"name", "Debian GNU/Linux"},
                               {"version_id", "12"},
                               {"pretty_name", "Debian GNU/Linux 12 (bookworm)"}}},
                             {"termux_version", nullptr},
                             {"cpu",
                              {{"model", "Intel(R) Xeon(R) Processor"},
                               {"vendor", "GenuineIntel"},
                               {"count", 2},
                               {"frequency_mhz", 2600.0}}},
                             {"memory_total_bytes", 24684084ull * 1024},
                             {"cwd", kProject},
                             {"git",
                              {{"commit", "9fceb02d0ae598e95dc970b74767f19372d61af8"},
                               {"branch", "main"},
                               {"dirty", true}}},
                             {"ci", nullptr}}));
}

TEST(ContextFromFacts, CleanTreeDetachedHeadAndNoRepository) {
    json facts = x86_facts();
    facts["commands"] = {
        git_command({"rev-parse", "--verify", "--quiet", "HEAD"}, "9fceb02\n"),
        git_command({"--no-optional-locks", "status", "--porcelain", "--untracked-files=no"}, "")};
    EXPECT_EQ(context_from_facts(facts)["git"],
              json({{"commit", "9fceb02"}, {"branch", nullptr}, {"dirty", false}}));
    facts["commands"] =
        json::array({git_command({"symbolic-ref", "--quiet", "--short", "HEAD"}, "trunk\n")});
    EXPECT_EQ(context_from_facts(facts)["git"],
              json({{"commit", nullptr}, {"branch", "trunk"}, {"dirty", nullptr}}));
    facts["commands"] = json::array();  // not a repository, or no git
    EXPECT_TRUE(context_from_facts(facts)["git"].is_null());
    facts["cwd"] = "/elsewhere";  // commands recorded for another directory are not this one's
    facts["commands"] = x86_facts()["commands"];
    EXPECT_TRUE(context_from_facts(facts)["git"].is_null());
}

TEST(ContextFromFacts, TermuxPhoneWithoutOsReleaseOrMhz) {
    json facts = {{"uname",
                   {{"sysname", "Linux"},
                    {"nodename", "localhost"},
                    {"release", "5.10.157-android13-4"},
                    {"version", "#1 SMP PREEMPT"},
                    {"machine", "aarch64"}}},
                  {"hostname", nullptr},
                  {"online_cpus", 8},
                  {"files",
                   {{"/proc/cpuinfo", recorded("cpuinfo-aarch64-android-tensor-g2")},
                    {"/proc/meminfo", recorded("meminfo-aarch64-android")},
                    {"/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "1803000\n"},
                    {"/sys/devices/system/cpu/cpu4/cpufreq/cpuinfo_max_freq", "2348000\n"},
                    {"/sys/devices/system/cpu/cpu6/cpufreq/cpuinfo_max_freq", "2850000\n"}}},
                  {"environ", {{"TERMUX_VERSION", "0.118.0"}}}};
    json context = context_from_facts(facts);
    EXPECT_EQ(context["hostname"], "localhost");  // uname's node name stands in
    EXPECT_EQ(context["machine"], "aarch64");
    EXPECT_EQ(context["termux_version"], "0.118.0");
    EXPECT_EQ(context["os"], json({{"id", nullptr},
                                   {"name", nullptr},
                                   {"version_id", nullptr},
                                   {"pretty_name", nullptr}}));
    EXPECT_EQ(context["cpu"], json({{"model", "Cortex-A55 + Cortex-A78 + Cortex-X1"},
                                    {"vendor", "ARM"},
                                    {"count", 8},
                                    {"frequency_mhz", 2850.0}}));
    EXPECT_EQ(context["memory_total_bytes"], 7672836ull * 1024);
    EXPECT_TRUE(context["cwd"].is_null());
    EXPECT_TRUE(context["git"].is_null());
}

TEST(ContextFromFacts, SnapdragonWithOnlyTheCurrentFrequencyAndTheOnlineList) {
    json facts = {{"files",
                   {{"/proc/cpuinfo", recorded("cpuinfo-aarch64-android-sm8150")},
                    {"/sys/devices/system/cpu/online", "0-5\n"},
                    {"/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "1785600\n"}}}};
    json cpu = context_from_facts(facts)["cpu"];
    EXPECT_EQ(cpu, json({{"model", "Qualcomm Technologies, Inc SM8150"},
                         {"vendor", "Qualcomm"},
                         {"count", 6},
                         {"frequency_mhz", 1785.6}}));
}

TEST(ContextFromFacts, PytestMonitorVariablesComeFromTheRecordedEnvironment) {
    json facts = x86_facts();
    facts["environ"] = {{"PYTEST_MONITOR_CPU_FREQ", "3000.5"},
                        {"PYTEST_MONITOR_FORCE_CPU_FREQ", "1"}};
    EXPECT_EQ(context_from_facts(facts)["cpu"]["frequency_mhz"], 3000.5);
}

TEST(ContextFromFacts, NoFactsOrFactsOfTheWrongTypeGiveNullsNotErrors) {
    json nothing = {
        {"hostname", nullptr},
        {"kernel", {{"sysname", nullptr}, {"release", nullptr}, {"version", nullptr}}},
        {"machine", nullptr},
        {"os",
         {{"id", nullptr}, {"name", nullptr}, {"version_id", nullptr}, {"pretty_name", nullptr}}},
        {"termux_version", nullptr},
        {"cpu",
         {{"model", nullptr}, {"vendor", nullptr}, {"count", nullptr}, {"frequency_mhz", nullptr}}},
        {"memory_total_bytes", nullptr},
        {"cwd", nullptr},
        {"git", nullptr},
        {"ci", nullptr}};
    EXPECT_EQ(context_from_facts(json::object()), nothing);
    EXPECT_EQ(context_from_facts(nullptr), nothing);
    EXPECT_EQ(context_from_facts(json::array({1, 2})), nothing);
    json garbled = {{"uname", "Linux"},
                    {"hostname", 7},
                    {"online_cpus", -3},
                    {"cwd", json::array()},
                    {"files", {{"/proc/cpuinfo", 12}, {"/proc/meminfo", nullptr}}},
                    {"environ", "CI=true"},
                    {"commands", {{{"argv", "git"}, {"stdout", "x"}}, 5}}};
    EXPECT_EQ(context_from_facts(garbled), nothing);
    EXPECT_EQ(context_from_facts({{"online_cpus", 1ull << 40}})["cpu"]["count"], nullptr);
}

struct CiCase {
    const char* title;
    json environ;
    json ci;
};

json ci_of(std::string name, json build, json branch, json commit, json url) {
    return {{"name", std::move(name)},
            {"build", std::move(build)},
            {"branch", std::move(branch)},
            {"commit", std::move(commit)},
            {"url", std::move(url)}};
}

TEST(ContextFromFacts, CiSystemsFromTheRecordedEnvironment) {
    const std::vector<CiCase> cases = {
        {"none", json::object(), nullptr},
        {"github actions",
         {{"CI", "true"},
          {"GITHUB_ACTIONS", "true"},
          {"GITHUB_RUN_ID", "7360154831"},
          {"GITHUB_RUN_ATTEMPT", "2"},
          {"GITHUB_REF", "refs/heads/feature/speed"},
          {"GITHUB_REF_NAME", "feature/speed"},
          {"GITHUB_REF_TYPE", "branch"},
          {"GITHUB_HEAD_REF", ""},
          {"GITHUB_SHA", "ffac537e"},
          {"GITHUB_SERVER_URL", "https://github.com"},
          {"GITHUB_REPOSITORY", "octo/widgets"}},
         ci_of("github-actions", "7360154831", "feature/speed", "ffac537e",
               "https://github.com/octo/widgets/actions/runs/7360154831/attempts/2")},
        {"github tag",
         {{"GITHUB_ACTIONS", "true"}, {"GITHUB_REF", "refs/tags/v1"}, {"GITHUB_REF_TYPE", "tag"}},
         ci_of("github-actions", nullptr, nullptr, nullptr, nullptr)},
        {"gitlab merge request",
         {{"GITLAB_CI", "true"},
          {"CI_PIPELINE_ID", "881"},
          {"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "fix"},
          {"CI_COMMIT_BRANCH", "main"},
          {"CI_COMMIT_SHA", "abc"},
          {"CI_JOB_URL", "https://gitlab.com/g/p/-/jobs/5"}},
         ci_of("gitlab-ci", "881", "fix", "abc", "https://gitlab.com/g/p/-/jobs/5")},
        {"circleci",
         {{"CIRCLECI", "true"},
          {"CIRCLE_BUILD_NUM", "12"},
          {"CIRCLE_BRANCH", "dev"},
          {"CIRCLE_SHA1", "c1"},
          {"CIRCLE_BUILD_URL", "https://circleci.com/gh/o/r/12"}},
         ci_of("circleci", "12", "dev", "c1", "https://circleci.com/gh/o/r/12")},
        {"travis push",
         {{"TRAVIS", "true"},
          {"TRAVIS_BUILD_NUMBER", "3"},
          {"TRAVIS_PULL_REQUEST_BRANCH", ""},
          {"TRAVIS_BRANCH", "main"}},
         ci_of("travis-ci", "3", "main", nullptr, nullptr)},
        {"buildkite",
         {{"BUILDKITE", "true"}, {"BUILDKITE_BUILD_NUMBER", "4"}, {"BUILDKITE_BRANCH", "b"}},
         ci_of("buildkite", "4", "b", nullptr, nullptr)},
        {"drone",
         {{"DRONE", "true"},
          {"DRONE_BUILD_NUMBER", "5"},
          {"DRONE_SOURCE_BRANCH", "feature"},
          {"DRONE_BRANCH", "main"},
          {"DRONE_COMMIT", "d5"}},
         ci_of("drone", "5", "feature", "d5", nullptr)},
        {"azure pipelines",
         {{"TF_BUILD", "True"},
          {"BUILD_BUILDID", "20311"},
          {"BUILD_SOURCEBRANCH", "refs/heads/users/ann/fix"},
          {"BUILD_SOURCEVERSION", "5e1f"},
          {"SYSTEM_COLLECTIONURI", "https://dev.azure.com/acme/"},
          {"SYSTEM_TEAMPROJECT", "Widget Team"}},
         ci_of("azure-pipelines", "20311", "users/ann/fix", "5e1f",
               "https://dev.azure.com/acme/Widget%20Team/_build/results?buildId=20311")},
        {"bitbucket pipelines",
         {{"BITBUCKET_BUILD_NUMBER", "57"}, {"BITBUCKET_REPO_FULL_NAME", "team/widgets"}},
         ci_of("bitbucket-pipelines", "57", nullptr, nullptr,
               "https://bitbucket.org/team/widgets/addon/pipelines/home#!/results/57")},
        {"jenkins",
         {{"JENKINS_URL", "http://ci"}, {"BUILD_NUMBER", "9"}, {"GIT_BRANCH", "origin/main"}},
         ci_of("jenkins", "9", "main", nullptr, nullptr)},
        {"build number alone", {{"BUILD_NUMBER", "9"}}, nullptr},
        {"generic", {{"CI", "woodpecker"}}, ci_of("generic", nullptr, nullptr, nullptr, nullptr)},
        {"CI=false", {{"CI", "false"}}, nullptr},
        {"CI=False", {{"CI", "False"}}, nullptr},
        {"CI=0", {{"CI", "0"}}, nullptr},
        {"CI=no", {{"CI", "no"}}, nullptr},
        {"CI empty", {{"CI", ""}}, nullptr},
        {"github false", {{"GITHUB_ACTIONS", "false"}}, nullptr},
    };
    for (const CiCase& ci_case : cases) {
        json facts = {{"environ", ci_case.environ}};
        EXPECT_EQ(context_from_facts(facts)["ci"], ci_case.ci) << ci_case.title;
    }
}

}  // namespace
}  // namespace blackbox::context
