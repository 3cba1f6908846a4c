"""A pytest tree: a folder that, first on PYTHONPATH, makes /usr/bin/python3 import one pytest
release and the pluggy (and other pure-Python dependencies) it is paired with."""

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass
class Tree:
    """One pytest to test the plugin on: `path` goes first on PYTHONPATH; `skip`, when set, is
    why it cannot run here (the tree is then not run, and the table says so)."""

    name: str
    path: Optional[Path]
    pytest: str
    pluggy: str
    skip: Optional[str] = None


def requires_python(dist_info: Path) -> Optional[str]:
    """The `Requires-Python` of a dist-info (or egg-info) folder's metadata, if it has one."""
    for name in ("METADATA", "PKG-INFO"):
        metadata = dist_info / name
        if metadata.is_file():
            for line in metadata.read_text(errors="replace").splitlines():
                if not line.strip():
                    break
                if line.lower().startswith("requires-python:"):
                    return line.split(":", 1)[1].strip()
    return None


def python_satisfies(specifier: Optional[str], version=sys.version_info) -> bool:
    """Whether this interpreter satisfies a simple `Requires-Python` (comma-separated `>=`, `>`,
    `<`, `<=`, `!=`, `==` clauses of dotted numbers; `*` wildcards in `!=`/`==` clauses)."""
    if not specifier:
        return True
    here = tuple(version[:3])
    for clause in specifier.split(","):
        match = re.fullmatch(r"\s*(>=|<=|==|!=|>|<)\s*([0-9.*]+)\s*", clause)
        if not match:
            continue
        op, text = match.groups()
        parts = [part for part in text.split(".") if part != "*"]
        wanted = tuple(int(part) for part in parts)
        mine = here[: len(wanted)] if "*" in text else here
        if "*" not in text:
            wanted = wanted + (0,) * (3 - len(wanted))
        ok = {
            ">=": mine >= wanted,
            ">": mine > wanted,
            "<=": mine <= wanted,
            "<": mine < wanted,
            "==": mine == wanted,
            "!=": mine != wanted,
        }[op]
        if not ok:
            return False
    return True


def unsupported_python(root: Path) -> Optional[str]:
    """Why this interpreter cannot run the distributions of a tree (the first whose
    `Requires-Python` it does not satisfy), or None."""
    for dist_info in sorted(root.glob("*.*-info")):
        specifier = requires_python(dist_info)
        if not python_satisfies(specifier):
            here = ".".join(map(str, sys.version_info[:3]))
            return f"{dist_info.name} requires Python {specifier}, this is {here}"
    return None


def imported_versions(root: Path) -> tuple:
    """The versions of pytest and pluggy that /usr/bin/python3 imports with `root` first on
    its path, asked of the interpreter itself."""
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(root), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pytest, pluggy; print(pytest.__version__, pluggy.__version__)",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise RuntimeError(f"cannot import pytest from {root}: {tail[0]}")
    pytest_version, pluggy_version = done.stdout.split()
    return pytest_version, pluggy_version
