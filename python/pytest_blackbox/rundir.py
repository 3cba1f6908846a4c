"""The run directory that `pytest --blackbox` makes itself (docs/formats/run-directory.md).

Under `blackbox run` the supervisor makes it; without one, the plugin of the main process does,
with the same layout, so `blackbox show` reads both alike. The plugin records the facts of the
execution context, not the context: `blackbox` derives it when it reads the run.
"""

import json
from base64 import b64encode
import os
import sys
import time
from pathlib import Path
from typing import List

from .names import exact_bytes, name_bytes, text_form, valid_texts

SUBDIRS = ("journal", "collected", "faulthandler", "native")
GITIGNORE = "# Created by blackbox: its runs stay out of git.\n*\n"
"""The folders every recording process writes into."""


def make_subdirs(run_dir: Path) -> None:
    """Create the run directory's per-process folders (and the directory); raises OSError."""
    for name in SUBDIRS:
        (run_dir / name).mkdir(parents=True, exist_ok=True)


def create(base: Path, cwd: Path) -> Path:
    """Make `<base>/runs/<UTC timestamp>-<id>/` with its run.json and point `latest` at it."""
    base.mkdir(parents=True, exist_ok=True)
    gitignore = base / ".gitignore"
    if not gitignore.exists():
        try:
            _write_replacing(gitignore, GITIGNORE)
        except OSError:
            pass  # cosmetic: the run itself can go on
    runs = base / "runs"
    runs.mkdir(exist_ok=True)
    wall, ns = time.time(), time.monotonic_ns()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(wall))
    while True:
        run_id = f"{stamp}-{os.urandom(3).hex()}"
        try:
            (runs / run_id).mkdir()
            break
        except FileExistsError:
            continue
    run_dir = runs / run_id
    make_subdirs(run_dir)
    # Imported here: only a --blackbox main process records the context's facts (git, /proc,
    # /sys); workers and supervised processes never load that code.
    from . import context_facts

    words, where = command(), str(cwd)
    document = {
        "format": 1,
        "id": run_id,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(wall))
        + f".{int(wall * 1000) % 1000:03d}Z",
        "started_ns": ns,
        "command": [text_form(word) for word in words],
        "cwd": text_form(where),
        "recorder": "plugin",
        # Names (the directory, git's answers about it) may be bytes that are not UTF-8: the
        # facts keep their text forms, as the supervisor's gatherer reads them.
        "context_facts": valid_texts(context_facts.gather()),
    }
    # The exact bytes of a name that is not UTF-8, beside its text (docs/formats/journal.md,
    # "Names"), as the supervisor writes them.
    if exact_bytes(where):
        document["cwd_bytes"] = exact_bytes(where)
    if any(exact_bytes(word) for word in words):
        document["command_bytes"] = [b64encode(name_bytes(word)).decode("ascii") for word in words]
    _write_replacing(run_dir / "run.json", json.dumps(document, indent=2) + "\n")
    try:
        _point_latest(base, run_id)
    except OSError:
        pass  # `latest` is a convenience: the run is recorded either way
    return run_dir


def command() -> List[str]:
    """The command line that started this process, as close to what was typed as Python knows."""
    orig_argv = getattr(sys, "orig_argv", None)  # Python >= 3.10: interpreter and its options
    if orig_argv:
        return list(orig_argv)
    argv = list(sys.argv)
    if argv and argv[0].endswith("__main__.py"):  # `python -m pkg`: argv[0] is pkg/__main__.py
        return [sys.executable, "-m", Path(argv[0]).parent.name, *argv[1:]]
    return argv


def _write_replacing(path: Path, text: str) -> None:
    """Readers see the whole file or none: write a temporary file, then rename it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _point_latest(base: Path, run_id: str) -> None:
    """Swap `latest` atomically: a reader finds the old run or the new one, never nothing."""
    temporary = base / f".latest.{os.getpid()}.{os.urandom(3).hex()}"
    os.symlink(Path("runs") / run_id, temporary)
    try:
        os.replace(temporary, base / "latest")
    except OSError:
        os.unlink(temporary)
        raise
