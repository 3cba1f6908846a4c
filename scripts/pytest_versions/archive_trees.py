"""pytest trees from Debian's archive: the `python3-pytest` of Debian 13 (trixie) and of
unstable (sid), each with the pure-Python packages it depends on from the same suite (pluggy,
iniconfig, packaging, pygments, …) and that suite's pytest-xdist and execnet.

Everything goes under one cache folder, and nothing of the machine's apt configuration is
changed: apt runs with its own configuration, sources list, state and cache under that folder,
taking from the machine's only where its Debian archive is (the mirror of its own release,
or BLACKBOX_DEBIAN_MIRROR) and how it reaches it; the packages are only downloaded (`apt-get
download`) and unpacked (`dpkg-deb -x`), never installed. Idempotent: the package lists are
refreshed at most every few hours, a package already downloaded is not downloaded again, and a
tree already unpacked is kept as it is. When the archive cannot be reached, the lists and trees
fetched before are used (and said to be); without any, each suite is a skipped tree with the
reason."""

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

from tree import Tree, imported_versions, unsupported_python

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Debian 12 (bookworm) is the machine's own: its pytest is the one every other test runs on.
SUITES = ("trixie", "sid")
ROOTS = ("python3-pytest", "python3-pytest-xdist")
LISTS_MAX_AGE = 6 * 3600
APT_TIMEOUT = 120


def machine_mirror() -> str:
    """The Debian archive the machine's own release comes from (BLACKBOX_DEBIAN_MIRROR when
    set): the same mirror carries the other suites."""
    chosen = os.environ.get("BLACKBOX_DEBIAN_MIRROR")
    if chosen:
        return chosen
    release = ""
    if os.path.isfile("/etc/os-release"):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("VERSION_CODENAME="):
                release = line.split("=", 1)[1].strip().strip('"')
    done = subprocess.run(
        ["apt-get", "indextargets", "--format", "$(REPO_URI) $(RELEASE) $(ORIGIN)"],
        capture_output=True,
        text=True,
    )
    for line in done.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] == release and fields[2] == "Debian":
            return fields[0].rstrip("/")
    raise RuntimeError(
        f"no Debian archive of {release or 'this release'} among the machine's apt sources: "
        "set BLACKBOX_DEBIAN_MIRROR"
    )


class Apt:
    """apt-get and apt-cache on a private configuration under `root`."""

    def __init__(self, root: Path, mirror: str):
        self.root = root
        etc, state, cache = root / "etc", root / "state", root / "cache"
        for folder in (etc / "preferences.d", state / "lists" / "partial", cache / "archives"):
            folder.mkdir(parents=True, exist_ok=True)
        (cache / "archives" / "partial").mkdir(exist_ok=True)
        sources = etc / "sources.list"
        write_if_changed(
            sources,
            "".join(f"deb [signed-by={KEYRING}] {mirror} {suite} main\n" for suite in SUITES),
        )
        status = state / "status"
        if not status.exists():
            status.write_text("")
        # Its own configuration file, and an empty folder in place of the machine's
        # apt.conf.d: no hook or setting of the machine's apt applies here, but for how it
        # reaches the archive (MACHINE_ACQUIRE).
        parts = etc / "apt.conf.d"
        parts.mkdir(exist_ok=True)
        settings = {
            "Dir::Etc::main": str(etc / "apt.conf"),
            "Dir::Etc::parts": str(parts),
            "Dir::Etc::sourcelist": str(sources),
            "Dir::Etc::sourceparts": "-",
            "Dir::Etc::preferences": str(etc / "preferences"),
            "Dir::Etc::preferencesparts": str(etc / "preferences.d"),
            "Dir::State": str(state),
            "Dir::State::status": str(status),
            "Dir::Cache": str(cache),
            "Dir::Cache::archives": str(cache / "archives"),
            # The lists' binary cache (which container images often switch off): without it
            # every apt-cache call parses both suites' lists again, seconds each.
            "Dir::Cache::pkgcache": "pkgcache.bin",
            "Dir::Cache::srcpkgcache": "srcpkgcache.bin",
            "Acquire::Languages": "none",
            # An unreachable archive answers within a bounded time.
            "Acquire::http::Timeout": "20",
            "APT::Sandbox::User": "root",
            "Debug::NoLocking": "1",
        }
        settings.update(machine_acquire_settings())
        self.config = etc / "apt.conf"
        write_if_changed(
            self.config, "".join(f'{key} "{value}";\n' for key, value in settings.items())
        )
        self.lists = state / "lists"

    def run(self, tool: str, *args: str, cwd: Optional[Path] = None) -> str:
        done = subprocess.run(
            [tool, "-q", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=APT_TIMEOUT,
            env=dict(os.environ, LC_ALL="C", APT_CONFIG=str(self.config)),
        )
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.startswith(("E:", "W:"))]
            raise RuntimeError(f"{tool} {args[0]}: " + ("; ".join(lines) or done.stderr.strip()))
        return done.stdout

    def lists_age(self) -> Optional[float]:
        """Seconds since the package lists were last fetched or found current, or None when
        there are none."""
        lists = list(self.lists.glob("*_Packages*"))
        if len(lists) < len(SUITES):
            return None
        stamp = self.lists / "updated"
        newest = stamp.stat().st_mtime if stamp.exists() else 0
        return time.time() - max([newest] + [path.stat().st_mtime for path in lists])

    def update(self) -> None:
        output = self.run("apt-get", "update")
        # apt-get update exits 0 even when a source failed (keeping the lists it had): its
        # `Err:` lines say so. A list found current keeps its date: the stamp records the check.
        if self.lists_age() is None or "\nErr:" in "\n" + output:
            raise RuntimeError(f"apt-get update failed: {first_error(output)}")
        (self.lists / "updated").write_text("")

    def versions(self, package: str) -> Dict[str, str]:
        """The version of `package` in each suite (`apt-cache madison`)."""
        found = {}
        for line in self.run("apt-cache", "madison", package).splitlines():
            fields = [field.strip() for field in line.split("|")]
            if len(fields) == 3 and fields[2].endswith(" Packages"):
                suite = fields[2].split()[1].split("/")[0]
                found.setdefault(suite, fields[1])
        return found

    def download(self, package: str, version: str, debs: Path) -> Path:
        """The .deb of package=version in `debs`, downloaded unless it is there already."""
        name = f"{package}_{version.replace(':', '%3a')}_all.deb"
        target = debs / name
        if target.is_file():
            return target
        scratch = debs / ".partial"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        self.run("apt-get", "download", f"{package}={version}", cwd=scratch)
        (got,) = scratch.glob("*.deb")
        if not got.name.endswith("_all.deb"):
            raise RuntimeError(f"{got.name} is not an Architecture: all package")
        got.rename(target)
        shutil.rmtree(scratch)
        return target


def first_error(output: str) -> str:
    """The first failure apt-get's output reports (`Err:` and the reason on the next line)."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Err:"):
            reason = lines[index + 1].strip() if index + 1 < len(lines) else ""
            return f"{line.split(' ', 1)[-1]}: {reason}"
    return " ".join(line.strip() for line in lines[-3:])


def write_if_changed(path: Path, text: str) -> None:
    """Writes `text` unless the file holds it already: apt rebuilds its binary cache of the
    lists (seconds) when its configuration files are newer than the cache."""
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)


# What the machine's apt says about reaching the archive, kept in the private configuration:
# its proxies, and whether the Release files' dates are checked (a machine whose archive is a
# dated snapshot turns that off).
MACHINE_ACQUIRE = (
    "acquire::http::proxy",
    "acquire::https::proxy",
    "acquire::check-valid-until",
    "acquire::check-date",
    "acquire::retries",
)


def machine_acquire_settings() -> Dict[str, str]:
    """The settings of MACHINE_ACQUIRE the machine's apt has."""
    done = subprocess.run(["apt-config", "dump"], capture_output=True, text=True)
    kept = {}
    for line in done.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key.lower() in MACHINE_ACQUIRE:
            kept[key] = value.strip().rstrip(";").strip('"')
    return kept


def deb_field(deb: Path, field: str) -> str:
    done = subprocess.run(["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True)
    return done.stdout.strip()


def python_dependencies(deb: Path) -> List[str]:
    """The Python packages a .deb depends on that the tree must hold: the first alternative of
    each `python3-*` dependency, leaving out those satisfied by this interpreter's version
    (`python3-supported-min (>= 3.11)` alternatives) and the interpreter itself."""
    wanted = []
    for group in filter(None, (g.strip() for g in deb_field(deb, "Depends").split(","))):
        alternatives = [alt.strip() for alt in group.split("|")]
        if any(alt.startswith("python3-supported-min") and _met(alt) for alt in alternatives):
            continue
        name = alternatives[0].split()[0].split(":")[0]
        if name.startswith("python3-") and name not in ("python3-supported-min",):
            wanted.append(name)
    return wanted


def _met(alternative: str) -> bool:
    """Whether `python3-supported-min (>= X.Y)` holds for this interpreter."""
    if "(" not in alternative:
        return True
    relation = alternative.split("(", 1)[1].rstrip(")").split()
    if len(relation) != 2 or relation[0] != ">=":
        return False
    wanted = tuple(int(part) for part in relation[1].split("."))
    return tuple(sys.version_info[: len(wanted)]) >= wanted


def suite_packages(apt: Apt, suite: str, debs: Path) -> List[Path]:
    """The .debs of one suite's tree: ROOTS and, transitively, their Python dependencies."""
    chosen: Dict[str, Path] = {}
    queue = list(ROOTS)
    while queue:
        package = queue.pop(0)
        if package in chosen:
            continue
        version = apt.versions(package).get(suite)
        if version is None:
            raise RuntimeError(f"{package} is not in {suite}")
        chosen[package] = apt.download(package, version, debs)
        queue += python_dependencies(chosen[package])
    return sorted(chosen.values())


def unpack(debs: List[Path], trees: Path, suite: str) -> Path:
    """The folder the .debs' Python packages are unpacked into (once: kept when complete)."""
    key = hashlib.sha256("\n".join(deb.name for deb in debs).encode()).hexdigest()[:12]
    root = trees / f"{suite}-{key}"
    site = root / "usr" / "lib" / "python3" / "dist-packages"
    done = root / ".complete"
    if not done.is_file():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        for deb in debs:
            subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        done.write_text("".join(deb.name + "\n" for deb in debs))
    (trees / f"latest-{suite}").write_text(root.name + "\n")
    return site


def previous_tree(trees: Path, suite: str) -> Optional[Path]:
    """The tree unpacked for `suite` by an earlier run, if it is complete."""
    latest = trees / f"latest-{suite}"
    if not latest.is_file():
        return None
    root = trees / latest.read_text().strip()
    if not (root / ".complete").is_file():
        return None
    return root / "usr" / "lib" / "python3" / "dist-packages"


def describe(site: Path, suite: str, note: str = "") -> Tree:
    name = f"debian-{suite}" + (f" ({note})" if note else "")
    reason = unsupported_python(site)
    if reason:
        return Tree(name, site, "?", "?", skip=reason)
    try:
        pytest_version, pluggy_version = imported_versions(site)
    except RuntimeError as error:
        return Tree(name, site, "?", "?", skip=str(error))
    return Tree(name, site, pytest_version, pluggy_version)


def archive_trees(cache: Path) -> List[Tree]:
    """One tree per suite of SUITES, downloading and unpacking what is missing."""
    debs, trees = cache / "debs", cache / "trees"
    debs.mkdir(parents=True, exist_ok=True)
    trees.mkdir(parents=True, exist_ok=True)
    try:
        mirror = machine_mirror()
    except RuntimeError as error:
        return [Tree(f"debian-{suite}", None, "?", "?", skip=str(error)) for suite in SUITES]
    apt = Apt(cache / "apt", mirror)
    unreachable = None
    age = apt.lists_age()
    if age is None or age > LISTS_MAX_AGE:
        try:
            apt.update()
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            unreachable = f"Debian's archive cannot be reached: {error}"
            age = apt.lists_age()
    found = []
    for suite in SUITES:
        try:
            if unreachable and apt.lists_age() is None:
                raise RuntimeError(unreachable)
            site = unpack(suite_packages(apt, suite, debs), trees, suite)
            note = ""
            if unreachable:
                fetched = time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() - age))
                note = f"package lists of {fetched} UTC; now: {unreachable}"
            found.append(describe(site, suite, note=note))
        except (RuntimeError, subprocess.TimeoutExpired, subprocess.CalledProcessError) as error:
            site = previous_tree(trees, suite)
            if site is None:
                found.append(Tree(f"debian-{suite}", None, "?", "?", skip=str(error)))
            else:
                found.append(describe(site, suite, note=f"unpacked earlier; now: {error}"))
    return found
