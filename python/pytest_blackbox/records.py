"""The journal's records, encoded as the lines docs/formats/journal.md specifies.

Every function returns one complete line (ASCII JSON object and its "\\n"). Records written per
test (`test`, `begin`, `end`) are built with f-strings: only strings are JSON-encoded, so the
passing path costs no dict and no whole-record json.dumps. The rare records use json.dumps.
"""

import json
from typing import List, Optional, Sequence, Tuple

from .bounded import bounded
from .names import exact_bytes, name_field, valid_texts

VERSION = 1
"""The journal format version written in `start`."""

_dumps = json.JSONEncoder(separators=(",", ":")).encode
"""JSON text of a value; ensure_ascii (the default) keeps every line ASCII, node ids included."""

_ascii_string = json.encoder.encode_basestring_ascii
"""JSON of an ASCII string: what _dumps does for a string, without its dispatch (per test)."""

_KNOWN_WORDS = {w: f'"{w}"' for w in ("setup", "call", "teardown", "passed", "failed", "skipped")}


def _safe_dumps(value: object) -> str:
    """JSON of `value` that strict readers accept: json.dumps writes a lone surrogate (a byte
    Python could not decode) as an escape they reject, so such strings are made UTF-8 first.
    The check is a substring search: paired surrogates only cost a needless second pass."""
    text = _dumps(value)
    return _dumps(valid_texts(value)) if "\\ud" in text else text


def _word(text: str) -> str:
    """JSON for a phase or outcome: pytest's words are pre-encoded, a plugin's own are escaped."""
    encoded = _KNOWN_WORDS.get(text)
    return encoded if encoded is not None else _safe_dumps(str(text))


def _line(ev: str, ns: int, fields: dict) -> str:
    record = {"ev": ev, "ns": ns}
    record.update(fields)
    return _safe_dumps(record) + "\n"


def start(ns: int, facts: dict) -> str:
    """The first record of every journal: who is writing (`facts` per the format)."""
    fields = {"v": VERSION, **facts}
    for key in ("cwd", "rootdir"):  # names: a re-run goes back to the rootdir
        exact = exact_bytes(facts.get(key))
        if exact is not None:
            fields[f"{key}_bytes"] = exact
    return _line("start", ns, fields)


def session_start(
    ns: int,
    controller: bool,
    capture: dict,
    monitor: dict,
    reports: Sequence[dict] = (),
    dist: Optional[str] = None,
) -> str:
    """The session started; `controller` when this process is an xdist controller; `capture`
    names the descriptors of pytest's capture files ({} without fd capture); `monitor` is what
    the metrics database should make of the run (monitor.Monitor.fields); `reports` the report
    files the session will write (user_reports.py), written only when there are some; `dist`
    the controller's `--dist` mode (written only by a controller)."""
    fields = {"controller": controller, "capture": capture, "monitor": monitor}
    if reports:
        fields["reports"] = list(reports)
    if dist is not None:
        fields["dist"] = dist
    return _line("session_start", ns, fields)


def collect(ns: int, nodeid: str) -> str:
    """Collection of a file or package collector starts (a death from here names it)."""
    return f'{{"ev":"collect","ns":{ns},{name_field("nodeid", nodeid)}}}\n'


def collect_end(ns: int, nodeid: str, outcome: str, detail: Optional[Tuple[str, str]]) -> str:
    """A file or package collector's report is out; `detail` is ("longrepr"|"reason", text)."""
    fields = {"outcome": outcome}
    if detail is not None:
        fields[detail[0]] = bounded(detail[1])
    rest = _safe_dumps(fields)[1:]  # the object's keys and its closing brace
    return f'{{"ev":"collect_end","ns":{ns},{name_field("nodeid", nodeid)},{rest}\n'


def collection(ns: int, count: int, deselected: int, errors: int, resumed: int = 0) -> str:
    """Collection finished with `count` items selected to run; of the `deselected` items,
    `resumed` were deselected by a restart because an earlier attempt ran them."""
    fields = {"count": count, "deselected": deselected, "errors": errors}
    if resumed:
        fields["resumed"] = resumed
    return _line("collection", ns, fields)


def test(ns: int, nodeid: str) -> str:
    """A test's protocol starts; the phase records that follow belong to `nodeid`."""
    if nodeid.isascii():  # nearly always: the name needs no more than JSON's escapes
        return f'{{"ev":"test","ns":{ns},"nodeid":{_ascii_string(nodeid)}}}\n'
    return f'{{"ev":"test","ns":{ns},{name_field("nodeid", nodeid)}}}\n'


def begin(ns: int, phase: str, pid: Optional[int] = None) -> str:
    """A phase of the current test starts; `phase` is "setup", "call" or "teardown". Written
    only when no `end` implies it (a plugin ran the phases without reporting them yet); `pid`
    names the forked child that runs the test (pytest-forked), None in the recording process."""
    if pid is None:
        return f'{{"ev":"begin","ns":{ns},"phase":"{phase}"}}\n'
    return f'{{"ev":"begin","ns":{ns},"phase":"{phase}","pid":{int(pid)}}}\n'


def end_head(phase: str, outcome: str) -> str:
    """What follows an `end` record's `ns`: `"phase":…,"outcome":…,"dur":`."""
    return f'"phase":{_word(phase)},"outcome":{_word(outcome)},"dur":'


END_HEADS = {
    phase: {outcome: end_head(phase, outcome) for outcome in ("passed", "failed", "skipped")}
    for phase in ("setup", "call", "teardown")
}
"""end_head of pytest's phases and outcomes, encoded once: phase -> outcome -> head."""


def end(ns: int, phase: str, outcome: str, dur: float, extra: str = "") -> str:
    """A phase's report; `extra` is "" or the optional keys from `end_extra`, comma first."""
    if type(dur) is not float:  # a plugin's report may carry an int or None
        dur = float(dur or 0)
    heads = END_HEADS.get(phase)
    head = None if heads is None else heads.get(outcome)
    if head is None:
        head = end_head(phase, outcome)
    return f'{{"ev":"end","ns":{ns},{head}{dur!r}{extra}}}\n'


def crash_extra(signal: Optional[int]) -> str:
    """The `end` key of a test whose forked child died (pytest-forked's report, phase `???`):
    the signal that killed it, "" when its report does not say."""
    return "" if signal is None else f',"signal":{int(signal)}'


def subtest(
    ns: int,
    outcome: str,
    dur: float,
    msg: Optional[str],
    params: dict,
    longrepr: Optional[str],
    reason: Optional[str],
) -> str:
    """A subtest of the current test reported (pytest-subtests' `subtests.test`, unittest's
    `self.subTest`): its outcome, message and parameters (name -> repr)."""
    fields: dict = {"outcome": outcome, "dur": float(dur or 0), "msg": msg}
    fields["params"] = {str(k): bounded(str(v)) for k, v in params.items()}
    if longrepr is not None:
        fields["longrepr"] = bounded(longrepr)
    if reason is not None:
        fields["reason"] = bounded(reason)
    return _line("subtest", ns, fields)


def end_extra(
    wasxfail: Optional[str],
    reason: Optional[str],
    longrepr: Optional[str],
    sections: Sequence[Tuple[str, str]],
    props: Sequence[Tuple[str, object]],
) -> str:
    """The optional keys of an `end` record, encoded as `,"key":value...` ("" when none)."""
    parts: List[str] = []
    if wasxfail is not None:
        parts.append(f',"wasxfail":{_dumps(bounded(wasxfail))}')
    if reason is not None:
        parts.append(f',"reason":{_dumps(bounded(reason))}')
    if longrepr is not None:
        parts.append(f',"longrepr":{_dumps(bounded(longrepr))}')
    if sections:
        pairs = [[str(title), bounded(str(text))] for title, text in sections]
        parts.append(f',"sections":{_safe_dumps(pairs)}')
    if props:
        parts.append(f',"props":{_safe_dumps([[str(n), _property_value(v)] for n, v in props])}')
    return "".join(parts)


def _property_value(value: object) -> object:
    """A user property as JSON when it is JSON, else its bounded repr."""
    try:
        text = _dumps(value)
    except (TypeError, ValueError):
        return bounded(repr(value))
    return value if len(text) <= 4096 else bounded(text)


def fixture(ns: int, ev: str, name: str, scope: str, phase: str, error: Optional[str]) -> str:
    """`fixture_begin`/`fixture_end` of a fixture broader than a function."""
    fields = {"name": name, "scope": scope, "phase": phase}
    if error is not None:
        fields["error"] = bounded(error)
    return _line(ev, ns, fields)


def scope(ns: int, fields: dict) -> str:
    """A module, class or session of tests ended in this process (`fields` per the format)."""
    return _line("scope", ns, fields)


def disabled(ns: int, reason: str) -> str:
    """Recording stopped in this process (a bug of the recorder): the rest of its run is missing."""
    return _line("disabled", ns, {"reason": bounded(reason)})


def lost(ns: int, since_ns: int, count: int, reason: str) -> str:
    """Records could not be written from `since_ns` (a full disk): `count` of them are missing
    before this one, the first written once writing worked again."""
    return _line("lost", ns, {"since_ns": since_ns, "records": count, "reason": bounded(reason)})


def lost_state(
    ns: int, since_ns: int, count: int, reason: str, ended: bool, recovered: bool
) -> str:
    """The line of a journal's `.lost` file: how much is missing since `since_ns`, whether the
    session still ended in order, or that the journal caught up (`recovered`)."""
    fields = {"since_ns": since_ns, "records": count, "reason": bounded(reason)}
    fields.update({"ended": ended, "recovered": recovered})
    return _line("lost", ns, fields)


def interrupt(ns: int, reason: str) -> str:
    """pytest got a KeyboardInterrupt (or pytest.exit)."""
    return _line("interrupt", ns, {"reason": bounded(reason)})


def worker_down(
    ns: int, worker: str, error: Optional[str], code: Optional[int], signal: Optional[int]
) -> str:
    """An xdist worker went down (controller only); `error` None for a clean shutdown."""
    error = None if error is None else bounded(error)
    return _line(
        "worker_down", ns, {"worker": worker, "error": error, "code": code, "signal": signal}
    )


def worker_crash(ns: int, worker: str, nodeid: str) -> str:
    """xdist says `worker` crashed while running `nodeid` (controller only)."""
    return (
        f'{{"ev":"worker_crash","ns":{ns},"worker":{_safe_dumps(worker)},'
        f"{name_field('nodeid', nodeid)}}}\n"
    )


def session_end(ns: int, exitstatus: int) -> str:
    """The session finished with pytest's `exitstatus`."""
    return f'{{"ev":"session_end","ns":{ns},"exitstatus":{int(exitstatus)}}}\n'


def exit_(ns: int) -> str:
    """The plugin's last act; a death after it happened at interpreter shutdown."""
    return f'{{"ev":"exit","ns":{ns}}}\n'


def after_test(ns: int, fields: str) -> str:
    """What followed the latest test's protocol; `fields` are `,"key":value...` (after_test.py):
    the garbage collection's figures and `leftovers`."""
    return f'{{"ev":"after_test","ns":{ns}{fields}}}\n'


def leftovers(counts: dict, names: dict) -> str:
    """The `left` and `left_names` keys of `after_test`: per kind that went up, how many more
    there are and the names of (at most ten of) the new ones."""
    return f',"left":{_safe_dumps(counts)},"left_names":{_safe_dumps(names)}'
