"""Reading what the plugin recorded, for the tests' assertions."""

import json
from pathlib import Path
from typing import Dict, List


def stems(run_dir: Path) -> List[str]:
    """The `<attempt>-<role>-<pid>` stems of every journal, sorted."""
    return sorted(path.name[: -len(".jsonl")] for path in (run_dir / "journal").glob("*.jsonl"))


def role_of(stem: str) -> str:
    return stem.split("-")[1]


def journal(run_dir: Path, role: str = "main") -> List[dict]:
    """The records of the one journal written by `role`."""
    (stem,) = [s for s in stems(run_dir) if role_of(s) == role]
    return read_lines(run_dir / "journal" / f"{stem}.jsonl")


def journals(run_dir: Path) -> Dict[str, List[dict]]:
    """role → records, for every journal."""
    return {role_of(s): read_lines(run_dir / "journal" / f"{s}.jsonl") for s in stems(run_dir)}


def collected(run_dir: Path, role: str = "main") -> List[dict]:
    (stem,) = [s for s in stems(run_dir) if role_of(s) == role]
    return read_lines(run_dir / "collected" / f"{stem}.jsonl")


def faulthandler_text(run_dir: Path, role: str = "main") -> str:
    (stem,) = [s for s in stems(run_dir) if role_of(s) == role]
    return (run_dir / "faulthandler" / f"{stem}.txt").read_text()


def read_lines(path: Path) -> List[dict]:
    """Every record; the file must end with a complete line, and every line must be ASCII."""
    data = path.read_bytes()
    data.decode("ascii")
    assert data == b"" or data.endswith(b"\n"), f"{path} ends with a torn record"
    return [json.loads(line) for line in data.splitlines()]


def events(records: List[dict]) -> List[str]:
    return [r["ev"] for r in records]


def by_test(records: List[dict]) -> Dict[str, List[dict]]:
    """nodeid → the records written between its `test` record and the next one."""
    tests: Dict[str, List[dict]] = {}
    current = None
    for record in records:
        if record["ev"] == "test":
            current = tests.setdefault(record["nodeid"], [])
        elif record["ev"] in ("session_end", "exit"):
            current = None
        elif current is not None:
            current.append(record)
    return tests


def phase_ends(records: List[dict]) -> Dict[str, dict]:
    """phase → its `end` record, for the records of one test."""
    return {r["phase"]: r for r in records if r["ev"] == "end"}
