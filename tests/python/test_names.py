"""Names that are not UTF-8 (a file `test_\\xff\\xfe.py`) and texts that hold such bytes: every
journal line stays strict JSON, and names keep their exact bytes (docs/formats/journal.md,
"Names"). And the capture files handed to the supervisor at session start."""

import array
import base64
import json
import os
import socket
from pathlib import Path

import pytest
from recording import collected, stems

from pytest_blackbox import names, records
from pytest_blackbox.capture_files import hand_to_supervisor

PLUGIN = ("-p", "pytest_blackbox.plugin")


def strict_lines(path: Path):
    """Every record, read as a strict reader would: no string may hold a lone surrogate."""
    records_ = []
    for line in path.read_bytes().splitlines():
        line.decode("ascii")
        record = json.loads(line)
        _strict(record, line)
        records_.append(record)
    return records_


def _strict(value, line):
    if isinstance(value, str):
        value.encode("utf-8")  # raises on a lone surrogate (\\udcff), as strict readers do
    elif isinstance(value, dict):
        for key, item in value.items():
            _strict(key, line)
            _strict(item, line)
    elif isinstance(value, list):
        for item in value:
            _strict(item, line)


def exact(record, key):
    """A name as readers take it: the `_bytes` when present, else the text."""
    if f"{key}_bytes" in record:
        return base64.b64decode(record[f"{key}_bytes"])
    return record[key].encode("utf-8")


def test_a_name_that_is_utf8_is_written_as_before():
    assert names.name_field("nodeid", "t.py::a") == '"nodeid":"t.py::a"'
    assert names.name_field("nodeid", "caf\u00e9.py::a") == '"nodeid":"caf\\u00e9.py::a"'
    assert records.test(5, "t.py::a") == '{"ev":"test","ns":5,"nodeid":"t.py::a"}\n'


def test_a_name_that_is_not_utf8_carries_its_text_form_and_its_bytes():
    name = os.fsdecode(b"test_\xff\xfe.py::t")
    line = records.test(5, name)
    record = json.loads(line)
    _strict(record, line)
    assert record["nodeid"] == "test_\\xff\\xfe.py::t"
    assert base64.b64decode(record["nodeid_bytes"]) == b"test_\xff\xfe.py::t"
    # Escaped bytes that make valid UTF-8 together are that text.
    assert json.loads(records.test(5, os.fsdecode(b"caf\xc3\xa9")))["nodeid"] == "caf\u00e9"
    # A lone surrogate that stands for no byte still gives a line strict readers take.
    record = json.loads(records.test(5, "p[\ud800]"))
    _strict(record, "")
    assert base64.b64decode(record["nodeid_bytes"]) == b"p[\xed\xa0\x80]"


def test_texts_holding_undecodable_bytes_are_written_in_their_text_form():
    text = os.fsdecode(b"E   in test_\xff.py")
    extra = records.end_extra(None, text, text, [("Captured stdout call", text)], [("p", text)])
    record = json.loads(records.end(1, "call", "failed", 0.5, extra))
    _strict(record, "")
    assert record["reason"] == record["longrepr"] == "E   in test_\\xff.py"
    start = json.loads(records.start(1, {"cwd": os.fsdecode(b"/tmp/\xff"), "argv": [text]}))
    _strict(start, "")
    assert start["cwd"] == "/tmp/\\xff"
    assert base64.b64decode(start["cwd_bytes"]) == b"/tmp/\xff"


def test_a_suite_in_a_file_that_is_not_utf8_is_recorded_losslessly(
    pytester: pytest.Pytester, run_dir: Path
):
    name = b"test_\xff\xfe.py"
    path = os.path.join(os.fsencode(pytester.path), name)
    with open(path, "wb") as file:
        file.write(
            b"import logging, pytest\n"
            b"def test_ok():\n    logging.getLogger().warning('logged')\n"
            b"def test_fails():\n    assert 0, 'no'\n"
            b"@pytest.mark.parametrize('v', [1], ids=['\\x1b]0;PWNED\\x07'])\n"
            b"def test_p(v):\n    pass\n"
        )
    pytester.makeini(
        "[pytest]\ndisable_test_id_escaping_and_forfeit_all_rights_to_community_support = true\n"
    )
    reprec = pytester.inline_run(*PLUGIN, "-p", "no:cacheprovider")
    reprec.assertoutcome(passed=2, failed=1)
    (stem,) = stems(run_dir)
    journal = strict_lines(run_dir / "journal" / f"{stem}.jsonl")
    tests = [exact(r, "nodeid") for r in journal if r["ev"] == "test"]
    assert tests == [
        b"test_\xff\xfe.py::test_ok",
        b"test_\xff\xfe.py::test_fails",
        b"test_\xff\xfe.py::test_p[\x1b]0;PWNED\x07]",
    ]
    # pytest 8 on also brackets the directories it collects: the module's record is the one.
    (collect,) = [r for r in journal if r["ev"] == "collect_end" and r["nodeid"].endswith(".py")]
    assert exact(collect, "nodeid") == name and collect["nodeid"] == "test_\\xff\\xfe.py"
    items = strict_lines(run_dir / "collected" / f"{stem}.jsonl")
    assert [exact(item, "nodeid") for item in items] == tests
    assert {exact(item, "file") for item in items} == {name}
    assert collected(run_dir)[0]["file"] == "test_\\xff\\xfe.py"
    # The log trail names each test by its exact bytes.
    trail = (run_dir / "capture" / f"{stem}.log").read_bytes()
    assert b"\x1etest_\xff\xfe.py::test_ok\n" in trail


def test_capture_files_are_handed_to_the_supervisors_mailbox(
    pytester: pytest.Pytester, run_dir: Path, clean_env: pytest.MonkeyPatch
):
    mailbox = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = f"blackbox-test-{os.getpid()}-{id(mailbox)}"
    mailbox.bind("\0" + address)
    clean_env.setenv("BLACKBOX_CAPTURE_SOCKET", "@" + address)
    with mailbox:
        pytester.makepyfile("def test_ok():\n    print('hello')\n")
        pytester.inline_run(*PLUGIN)
        fds = array.array("i")
        mailbox.settimeout(5)
        payload, ancillary, _, _ = mailbox.recvmsg(256, socket.CMSG_SPACE(4 * fds.itemsize))
        for level, kind, data in ancillary:
            assert (level, kind) == (socket.SOL_SOCKET, socket.SCM_RIGHTS)
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    try:
        (stem,) = stems(run_dir)
        assert payload.decode().split() == [stem, "stdout", "stderr"]
        assert len(fds) == 2
        assert all(os.path.isfile(f"/proc/self/fd/{fd}") for fd in fds)
    finally:
        for fd in fds:
            os.close(fd)


def test_without_a_mailbox_nothing_is_handed_over(clean_env: pytest.MonkeyPatch):
    assert hand_to_supervisor({"stdout": 1}, "1-main-1") is False  # no variable set
    clean_env.setenv("BLACKBOX_CAPTURE_SOCKET", f"@blackbox-test-nobody-{os.getpid()}")
    assert hand_to_supervisor({"stdout": 1}, "1-main-1") is False  # nobody listens
