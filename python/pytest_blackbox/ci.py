"""Which CI system runs the tests (docs/formats/context.md, "CI").

The rules are the supervisor's, so both recorders describe a build alike. A variable set to the
empty string counts as unset.
"""

from typing import Callable, Dict, Mapping, Optional, Tuple
from urllib.parse import quote


class _Env:
    """The environment, with empty values read as unset."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def get(self, name: str) -> Optional[str]:
        return self._env.get(name) or None

    def first(self, *names: str) -> Optional[str]:
        """The value of the first of `names` that is set."""
        return next((v for v in map(self.get, names) if v is not None), None)

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    def is_true(self, name: str) -> bool:
        """ "true", "True", "1", "yes": CIs differ in how they spell yes (Azure says "True")."""
        return (self.get(name) or "").lower() in ("true", "1", "yes")


def _ci(name: str, build, branch, commit, url) -> Dict[str, Optional[str]]:
    return {"name": name, "build": build, "branch": branch, "commit": commit, "url": url}


def _branch_of_ref(ref: Optional[str]) -> Optional[str]:
    """A git ref as a branch name: refs/heads/x -> x; other refs (tags, pull requests) -> None."""
    if ref is None or not ref.startswith("refs/"):
        return ref
    return ref.split("refs/heads/", 1)[1] if ref.startswith("refs/heads/") else None


def _github_actions(env: _Env) -> dict:
    build = env.get("GITHUB_RUN_ID")
    branch = env.get("GITHUB_HEAD_REF")
    if branch is None and (env.get("GITHUB_REF_TYPE") or "branch") == "branch":
        branch = env.get("GITHUB_REF_NAME") or _branch_of_ref(env.get("GITHUB_REF"))
    url = None
    repository = env.get("GITHUB_REPOSITORY")
    if build and repository:
        server = env.get("GITHUB_SERVER_URL") or "https://github.com"
        url = f"{server}/{repository}/actions/runs/{build}"
        attempt = env.get("GITHUB_RUN_ATTEMPT")
        if attempt:
            url += f"/attempts/{attempt}"
    return _ci("github-actions", build, branch, env.get("GITHUB_SHA"), url)


def _gitlab_ci(env: _Env) -> dict:
    return _ci(
        "gitlab-ci",
        env.get("CI_PIPELINE_ID"),
        env.first("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH"),
        env.get("CI_COMMIT_SHA"),
        env.first("CI_JOB_URL", "CI_PIPELINE_URL"),
    )


def _circleci(env: _Env) -> dict:
    return _ci(
        "circleci",
        env.get("CIRCLE_BUILD_NUM"),
        env.get("CIRCLE_BRANCH"),
        env.get("CIRCLE_SHA1"),
        env.get("CIRCLE_BUILD_URL"),
    )


def _travis_ci(env: _Env) -> dict:
    return _ci(
        "travis-ci",
        env.get("TRAVIS_BUILD_NUMBER"),
        env.first("TRAVIS_PULL_REQUEST_BRANCH", "TRAVIS_BRANCH"),
        env.get("TRAVIS_COMMIT"),
        env.first("TRAVIS_JOB_WEB_URL", "TRAVIS_BUILD_WEB_URL"),
    )


def _buildkite(env: _Env) -> dict:
    return _ci(
        "buildkite",
        env.get("BUILDKITE_BUILD_NUMBER"),
        env.get("BUILDKITE_BRANCH"),
        env.get("BUILDKITE_COMMIT"),
        env.get("BUILDKITE_BUILD_URL"),
    )


def _drone(env: _Env) -> dict:
    return _ci(
        "drone",
        env.get("DRONE_BUILD_NUMBER"),
        env.first("DRONE_SOURCE_BRANCH", "DRONE_BRANCH", "DRONE_COMMIT_BRANCH"),
        env.first("DRONE_COMMIT_SHA", "DRONE_COMMIT"),
        env.get("DRONE_BUILD_LINK"),
    )


def _azure_pipelines(env: _Env) -> dict:
    build = env.get("BUILD_BUILDID")
    branch = _branch_of_ref(env.first("SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH"))
    collection = env.first("SYSTEM_COLLECTIONURI", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI")
    project = env.get("SYSTEM_TEAMPROJECT")
    url = None
    if build and collection and project:
        if not collection.endswith("/"):
            collection += "/"
        url = f"{collection}{quote(project, safe='-._~')}/_build/results?buildId={build}"
    return _ci("azure-pipelines", build, branch, env.get("BUILD_SOURCEVERSION"), url)


def _bitbucket_pipelines(env: _Env) -> dict:
    build = env.get("BITBUCKET_BUILD_NUMBER")
    repository = env.get("BITBUCKET_REPO_FULL_NAME")
    # Pipelines exists only on bitbucket.org, which gives no URL variable for the build.
    url = None
    if repository:
        url = f"https://bitbucket.org/{repository}/addon/pipelines/home#!/results/{build}"
    return _ci(
        "bitbucket-pipelines", build, env.get("BITBUCKET_BRANCH"), env.get("BITBUCKET_COMMIT"), url
    )


def _jenkins(env: _Env) -> dict:
    branch = env.first("CHANGE_BRANCH", "BRANCH_NAME")
    if branch is None:
        branch = env.get("GIT_BRANCH")  # the git plugin names the remote branch: origin/main
        if branch is not None and branch.startswith("origin/"):
            branch = branch.split("origin/", 1)[1]
    return _ci(
        "jenkins",
        env.first("BUILD_NUMBER", "BUILD_ID"),
        branch,
        env.get("GIT_COMMIT"),
        env.get("BUILD_URL"),
    )


# (detected?, describe), in the order the systems are tried.
_SYSTEMS: Tuple[Tuple[Callable[[_Env], bool], Callable[[_Env], dict]], ...] = (
    (lambda env: env.is_true("GITHUB_ACTIONS"), _github_actions),
    (lambda env: env.is_true("GITLAB_CI"), _gitlab_ci),
    (lambda env: env.is_true("CIRCLECI"), _circleci),
    (lambda env: env.is_true("TRAVIS"), _travis_ci),
    (lambda env: env.is_true("BUILDKITE"), _buildkite),
    (lambda env: env.is_true("DRONE"), _drone),
    (lambda env: env.is_true("TF_BUILD"), _azure_pipelines),
    (lambda env: env.has("BITBUCKET_BUILD_NUMBER"), _bitbucket_pipelines),
    # After the others: Jenkins has no yes/no variable, and BUILD_NUMBER alone is too common.
    (
        lambda env: env.has("JENKINS_URL")
        or (env.has("BUILD_NUMBER") and (env.has("JOB_NAME") or env.has("BRANCH_NAME"))),
        _jenkins,
    ),
    (
        lambda env: (env.get("CI") or "false").lower() not in ("false", "0", "no"),
        lambda env: _ci("generic", None, None, None, None),
    ),
)


def detect_ci(environ: Mapping[str, str]) -> Optional[dict]:
    """{name, build, branch, commit, url} of the CI system running us, or None outside CI."""
    env = _Env(environ)
    for detected, describe in _SYSTEMS:
        if detected(env):
            return describe(env)
    return None
