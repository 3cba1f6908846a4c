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


def native_text(run_dir: Path, role: str = "main") -> str:
    (stem,) = [s for s in stems(run_dir) if role_of(s) == role]
    return (run_dir / "native" / f"{stem}.txt").read_text("ascii", "replace")


def _fields(words: List[str]) -> Dict[str, str]:
    return dict(word.split("=", 1) for word in words if "=" in word)


def native_records(text: str) -> List[dict]:
    """The records of a native stacks file (docs/formats/native-stacks.md), checked as they are
    read: every line belongs where the format puts it.

    Each record: `kind` ("fatal" or "dump"), `head` (its fields), `threads` (each with `fields`,
    `frames` as (pc, is_signal_frame) and `end`, the fields of its `end thread` line with
    `truncated`), `maps` (the copied lines), `end` (the fields of `end record`, None when torn).
    """
    found: List[dict] = []
    record = thread = None
    in_maps = False
    for line in text.splitlines():
        words = line.split()
        if in_maps:
            if line == "end maps":
                in_maps = False
            else:
                record["maps"].append(line)
        elif words[0] == "record":
            record = {"kind": words[1], "head": _fields(words[2:]), "threads": [], "maps": []}
            record["end"] = None
            found.append(record)
        elif words[0] == "thread":
            thread = {"fields": _fields(words[1:]), "frames": [], "end": None}
            assert thread["fields"]["record"] == record["head"]["id"], line
            record["threads"].append(thread)
        elif words[0] == "frame":
            assert thread is not None and thread["end"] is None, line
            assert words[1].startswith("0x") and words[2:] in ([], ["signal"]), line
            thread["frames"].append((int(words[1], 16), words[2:] == ["signal"]))
        elif words[:2] == ["end", "thread"]:
            thread["end"] = dict(_fields(words[2:]), truncated="truncated" in words)
            assert int(thread["end"]["frames"]) == len(thread["frames"]), line
            thread = None
        elif line == "maps":
            assert thread is None, "maps inside a thread block"
            in_maps = True
        elif words[:2] == ["end", "record"]:
            record["end"] = _fields(words[2:])
            assert record["end"]["id"] == record["head"]["id"], line
        else:
            raise AssertionError(f"not a line of the format: {line!r}")
    return found


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
