"""pytest trees from source snapshots: git directories (bare or not) of pytest, pluggy and,
optionally, pytest-xdist and execnet. For each chosen pytest release, each other project is
taken at its newest release tagged before that pytest's tag (the pluggy a user had with it),
its package folder exported with `git archive`, and the `_version.py` that setuptools_scm (or
hatch-vcs) would have generated is written, with a minimal dist-info so that
importlib.metadata and the Python-version check see the release. Idempotent: a tree already
made is kept."""

import io
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from tree import Tree, imported_versions, unsupported_python

# Project name -> (distribution name, package folder in the repository, its _version.py).
PROJECTS = {
    "pytest": ("pytest", ["src/_pytest", "src/pytest"], "src/_pytest/_version.py"),
    "pluggy": ("pluggy", ["src/pluggy"], "src/pluggy/_version.py"),
    "pytest-xdist": ("pytest-xdist", ["src/xdist"], "src/xdist/_version.py"),
    "execnet": ("execnet", ["src/execnet"], "src/execnet/_version.py"),
}
RELEASE = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


class Repository:
    """One project's git directory."""

    def __init__(self, project: str, git_dir: Path):
        self.project, self.git_dir = project, git_dir

    def git(self, *args: str) -> bytes:
        return subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args], check=True, capture_output=True
        ).stdout

    def releases(self) -> List[Tuple[Tuple[int, ...], str, int]]:
        """(version, tag, date) of every release tag (no dev, rc or post tags), oldest first."""
        found = []
        lines = self.git(
            "for-each-ref", "--format=%(refname:short) %(creatordate:unix)", "refs/tags"
        )
        for line in lines.decode().splitlines():
            tag, date = line.split()
            match = RELEASE.fullmatch(tag)
            if match:
                version = tuple(int(part) for part in match.groups() if part is not None)
                found.append((version, tag, int(date)))
        return sorted(found)

    def has(self, tag: str, path: str) -> bool:
        done = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", "cat-file", "-e", f"{tag}:{path}"],
            capture_output=True,
        )
        return done.returncode == 0

    def layout(self, tag: str, folders: List[str]) -> List[str]:
        """The folders as the release lays them out: under `src/`, or (older releases) at the
        top of the repository."""
        return [folder if self.has(tag, folder) else folder[len("src/") :] for folder in folders]

    def export(self, tag: str, folders: List[str], into: Path) -> None:
        """The package folders at `tag`, unpacked into `into` without their `src/` prefix."""
        archive = self.git("archive", "--format=tar", tag, *folders)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            for member in tar.getmembers():
                if member.name.startswith("src/"):
                    member.name = member.name[len("src/") :]
                if member.name != "src" and (member.isfile() or member.isdir()):
                    tar.extract(member, into)

    def requires_python(self, tag: str) -> Optional[str]:
        """The release's declared Python requirement (pyproject.toml or setup.cfg)."""
        for name, pattern in (
            ("pyproject.toml", r'^requires-python\s*=\s*"([^"]+)"'),
            ("setup.cfg", r"^python_requires\s*=\s*(\S+)"),
        ):
            try:
                text = self.git("show", f"{tag}:{name}").decode()
            except subprocess.CalledProcessError:
                continue
            match = re.search(pattern, text, re.M)
            if match:
                return match.group(1)
        return None


def find_repositories(sources: List[Path]) -> Dict[str, Repository]:
    """The projects' git directories among `sources`: each a git directory (a bare mirror, or
    its `repo` folder, named after the project as `owner+name`) or a folder holding them."""
    found: Dict[str, Repository] = {}
    candidates: List[Path] = []
    for source in sources:
        candidates.append(source)
        if source.is_dir():
            candidates += sorted(path for path in source.iterdir() if path.is_dir())
    for path in candidates:
        git_dir = path / ".git" if (path / ".git").exists() else path
        if not (git_dir / "HEAD").is_file() and (git_dir / "repo" / "HEAD").is_file():
            git_dir = git_dir / "repo"
        if not (git_dir / "HEAD").is_file():
            continue
        named = git_dir.parent if git_dir.name in ("repo", ".git") else git_dir
        project = named.name.split("+")[-1].removesuffix(".git")
        if project in PROJECTS and project not in found:
            found[project] = Repository(project, git_dir)
    return found


def version_file(version: str) -> str:
    parts = ", ".join(part if part.isdigit() else repr(part) for part in version.split("."))
    return (
        "# Written for this release as setuptools_scm would have.\n"
        f"__version__ = version = {version!r}\n"
        f"__version_tuple__ = version_tuple = ({parts},)\n"
        "__commit_id__ = commit_id = None\n"
    )


def make_tree(
    repositories: Dict[str, Repository], pytest_tag: str, trees: Path
) -> Tuple[Path, Dict[str, str]]:
    """The tree for one pytest tag, and the tag chosen for each project."""
    pytest_releases = {tag: date for _, tag, date in repositories["pytest"].releases()}
    date = pytest_releases[pytest_tag]
    chosen = {"pytest": pytest_tag}
    for project, repository in repositories.items():
        if project != "pytest":
            before = [tag for _, tag, when in repository.releases() if when <= date]
            if before:
                chosen[project] = before[-1]
    key = "-".join(f"{project}{tag.lstrip('v')}" for project, tag in sorted(chosen.items()))
    root = trees / key
    done = root / ".complete"
    if not done.is_file():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        for project, tag in chosen.items():
            distribution, folders, version_path = PROJECTS[project]
            repository = repositories[project]
            repository.export(tag, repository.layout(tag, folders), root)
            version = tag.lstrip("v")
            (root / version_path[len("src/") :]).write_text(version_file(version))
            info = root / f"{distribution.replace('-', '_')}-{version}.dist-info"
            info.mkdir()
            metadata = f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
            specifier = repository.requires_python(tag)
            if specifier:
                metadata += f"Requires-Python: {specifier}\n"
            (info / "METADATA").write_text(metadata)
        done.write_text("".join(f"{p} {t}\n" for p, t in sorted(chosen.items())))
    return root, chosen


def default_tags(repository: Repository) -> List[str]:
    """7.0's last patch release and the newest release of each major version from 8 on."""
    releases = repository.releases()
    picked = [tag for version, tag, _ in releases if version[:2] == (7, 0)][-1:]
    majors = sorted({version[0] for version, _, _ in releases if version[0] >= 8})
    for major in majors:
        picked.append([tag for version, tag, _ in releases if version[0] == major][-1])
    return picked


def snapshot_trees(sources: List[Path], cache: Path, tags: List[str]) -> List[Tree]:
    repositories = find_repositories(sources)
    missing = [project for project in ("pytest", "pluggy") if project not in repositories]
    if missing:
        return [Tree("snapshots", None, "?", "?", skip=f"no git directory of {missing}")]
    found = []
    for tag in tags or default_tags(repositories["pytest"]):
        try:
            root, chosen = make_tree(repositories, tag, cache / "snapshot-trees")
        except (KeyError, subprocess.CalledProcessError) as error:
            found.append(Tree(f"snapshot {tag}", None, tag, "?", skip=f"cannot make: {error}"))
            continue
        others = ", ".join(f"{p} {t}" for p, t in sorted(chosen.items()) if p != "pytest")
        name = f"snapshot ({others})"
        reason = unsupported_python(root)
        if reason:
            found.append(Tree(name, root, tag, chosen.get("pluggy", "?"), skip=reason))
            continue
        try:
            pytest_version, pluggy_version = imported_versions(root)
        except RuntimeError as error:
            found.append(Tree(name, root, tag, chosen.get("pluggy", "?"), skip=str(error)))
            continue
        found.append(Tree(name, root, pytest_version, pluggy_version))
    return found
