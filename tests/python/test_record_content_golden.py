"""The records of a small suite, compared with a golden file: changes to the recorder's hot path
(how records are built, which hooks write them) must not change what the journals say.

The suite has every per-test path: setup, call and teardown that pass, fail and skip, xfail and
xpass, captured output, user properties, fixtures broader than a function, parametrized ids
outside ASCII and a file whose name is not UTF-8. What varies from run to run (times, pids,
figures of CPU and memory, the temporary directory) is normalized: a figure is kept as the fact
that it is there. The `start` and `session_start` records (facts about the process and the
session, not about tests) are left out.

Regenerate the golden file only on purpose, when the records' content is meant to change:
BLACKBOX_REGENERATE_GOLDEN=1 /usr/bin/python3 -m pytest tests/python/test_record_content_golden.py
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from recording import read_lines, stems

PLUGIN = ("-p", "pytest_blackbox.plugin")
GOLDEN = Path(__file__).with_name("golden") / "record_content.json"
REGENERATE = os.environ.get("BLACKBOX_REGENERATE_GOLDEN") == "1"

VARYING = {
    "ns",
    "pid",
    "dur",
    "cpu_user",
    "cpu_sys",
    "cpu_wall",
    "main_cpu",
    "run_delay",
    "peak_rss",
    "rss_before",
    "rss_after",
    "code",
    "signal",
}
"""Keys whose values vary from run to run: kept as `<type>` (that the key is there, and what
kind of value it holds)."""

LEFT_OUT = {"start", "session_start"}

SUITE = """
import sys

import pytest


@pytest.fixture(scope="module")
def shared():
    yield "module"


@pytest.fixture
def noisy_teardown():
    print("fixture says hello")
    yield
    print("fixture says goodbye", file=sys.stderr)


@pytest.fixture
def broken_setup():
    raise RuntimeError("setup broke")


@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown broke")


def test_passes():
    pass


def test_passes_with_output(noisy_teardown, shared):
    print("call says hi")


def test_fails():
    print("before the failure")
    assert 1 == 2, "one is not two"


def test_setup_error(broken_setup):
    pass


def test_teardown_error(broken_teardown):
    pass


def test_skips():
    pytest.skip("not today")


@pytest.mark.skip(reason="marked away")
def test_skip_mark():
    pass


@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert 0


@pytest.mark.xfail(reason="fixed already")
def test_xpass():
    pass


def test_properties(record_property):
    record_property("answer", 42)
    record_property("name", "caf\\u00e9")


@pytest.mark.parametrize("word", ["caf\\u00e9", "\\u65e5\\u672c", "plain", "tab\\tquote\\"x"])
def test_words(word):
    assert word != "plain"


class TestGroup:
    @pytest.mark.parametrize("n", [1, 2], ids=["\\u00fcber", "zwei"])
    def test_member(self, n, shared):
        assert n
"""

INI = """
[pytest]
disable_test_id_escaping_and_forfeit_all_rights_to_community_support = true
"""


def _normalize(value: object, base: str) -> object:
    if isinstance(value, str):
        return value.replace(base, "<dir>")
    if isinstance(value, list):
        return [_normalize(v, base) for v in value]
    if isinstance(value, dict):
        return {k: _normal_field(k, v, base) for k, v in value.items()}
    return value


def _normal_field(key: str, value: object, base: str) -> object:
    if key in VARYING:
        return f"<{type(value).__name__}>"
    return _normalize(value, base)


def _worker(record: dict) -> str:
    return str(record["worker"])


def _journal_content(run_dir: Path, base: str) -> Dict[str, object]:
    """Per process role: its journal's records and its collected items, normalized. Worker
    journals (which tests a worker runs varies) are merged and grouped by test."""
    content: Dict[str, object] = {}
    worker_tests: Dict[str, List[object]] = {}
    worker_collected: List[object] = []
    for stem in stems(run_dir):
        role = stem.split("-")[1]
        lines = read_lines(run_dir / "journal" / f"{stem}.jsonl")
        kept = [_normalize(r, base) for r in lines if r["ev"] not in LEFT_OUT]
        collected = [
            _normalize(r, base) for r in read_lines(run_dir / "collected" / f"{stem}.jsonl")
        ]
        if role.startswith("gw"):
            worker_collected = collected  # every worker collects every item
            current = None
            for record in kept:
                if record["ev"] == "test":
                    current = worker_tests.setdefault(record["nodeid"], [])
                elif record["ev"] in ("session_end", "exit"):
                    current = None
                if current is not None:
                    current.append(record)
        else:
            # Workers go down in any order: their records in the order of their names.
            downs = iter(sorted((r for r in kept if r["ev"] == "worker_down"), key=_worker))
            kept = [next(downs) if r["ev"] == "worker_down" else r for r in kept]
            content[role] = {"journal": kept, "collected": collected}
    if worker_tests:
        content["workers"] = {
            "tests": {nodeid: worker_tests[nodeid] for nodeid in sorted(worker_tests)},
            "collected": worker_collected,
        }
    return content


def _run(pytester: pytest.Pytester, run_dir: Path, *args: str) -> Dict[str, object]:
    pytester.makeini(INI)
    pytester.makepyfile(test_suite=SUITE)
    if not args:  # execnet cannot send a name that is not UTF-8 to an xdist worker
        odd = pytester.path / os.fsdecode(b"test_odd_\xff.py")
        odd.write_text("def test_in_odd_file():\n    print('odd')\n")
    # Not runpytest_subprocess: pytest's output names the file that is not UTF-8.
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *PLUGIN, *args],
        cwd=pytester.path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return _journal_content(run_dir, str(pytester.path))


def _all_records(content: Dict[str, object]) -> List[dict]:
    found = []
    for role in content.values():
        if "journal" in role:
            found += role["journal"]
        for records in role.get("tests", {}).values():
            found += records
    return found


@pytest.mark.parametrize("mode", ["serial", "xdist"])
def test_records_match_the_golden_file(pytester: pytest.Pytester, run_dir: Path, mode: str):
    args = ("-n", "2", "--dist", "loadfile") if mode == "xdist" else ()
    content = _run(pytester, run_dir, *args)
    assert any(r.get("ev") == "end" for r in _all_records(content)), "the suite did not run"
    golden = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    if REGENERATE:
        golden[mode] = content
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
        return
    assert content == golden[mode]
