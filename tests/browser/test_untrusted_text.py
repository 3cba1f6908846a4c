"""Node ids, failure texts and output are untrusted: a run whose ids and messages carry markup and
script is reported as text, and nothing of it runs."""

import html
import re

import pytest
from conftest import Report

MARKER = "XSS-EXECUTED"
PAYLOADS = [
    "<script>document.title='pwned'</script>",
    f"</script><script>console.log('{MARKER}')</script>",
    '"><img src=x onerror="document.title=\'pwned\'">',
    "'-alert(1)-'",
    f"<svg/onload=console.log('{MARKER}')>",
    f"${{console.log('{MARKER}')}}",
    f"<!--<script>console.log('{MARKER}')//-->",
    "::[<b>not bold</b>]",
    "&lt;escaped&gt; &amp;",
]
# The crash's id lands in the verdict; placeholders of the page template must stay text too.
CRASH_ID = f"</script><script>console.log('{MARKER}')</script>@@VERDICT@@@@REPORT_JS@@@@DATA@@"

SUITE = f"""
import ctypes
import pytest

PAYLOADS = {PAYLOADS!r}
CRASH_ID = {CRASH_ID!r}

@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOADS)
def test_payload(payload):
    print(payload)
    assert False, payload

@pytest.mark.parametrize("payload", [CRASH_ID], ids=[CRASH_ID])
def test_zz_crash(payload):
    print(payload)
    ctypes.string_at(0)
"""


@pytest.fixture(scope="module")
def hostile_run(record):
    return record("hostile", {"test_xss.py": SUITE}, "test_xss.py")


def test_markup_in_ids_and_messages_stays_text_and_never_runs(browser, hostile_run):
    project, run = hostile_run
    path = run / "report.html"
    title = html.unescape(re.search(r"<title>(.*?)</title>", path.read_text(), re.S).group(1))
    report = Report(browser, path).open()

    expected = {f"test_xss.py::test_payload[{p}]" for p in PAYLOADS}
    crash = f"test_xss.py::test_zz_crash[{CRASH_ID}]"
    assert set(report.nodeids) == expected | {crash}

    # The verdict (escaped by blackbox) and the table (textContent) show the ids as they are.
    assert report.css("#verdict .crash .culprit")[0].text == crash
    cells = report.js(
        "return [...document.querySelectorAll('#tests .rows .row:not([hidden]) .col-nodeid')]"
        ".map(c => c.textContent)"
    )
    assert set(cells) == expected | {crash}

    # Every other place that shows them: the details of each test, the cursor, the lanes' tip.
    for i in range(len(report.nodeids)):
        report.css(f'#tests .rows .row[data-test="{i}"]')[0].click()
        details = report.css("#details")[0]
        assert details.find_element("css selector", ".nodeid").text == report.nodeids[i]
    payload = report.nodeids.index(f"test_xss.py::test_payload[{PAYLOADS[2]}]")
    report.css(f'#tests .rows .row[data-test="{payload}"]')[0].click()
    assert PAYLOADS[2] in report.css("#details pre.failure")[0].text
    report.css("#verdict li.crash")[0].click()
    if report.css("#timeline .u-over"):
        over = report.css("#timeline .u-over")[0]
        rect = report.js("return arguments[0].getBoundingClientRect().toJSON()", over)
        for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
            report.driver.execute_cdp_cmd(
                "Input.dispatchMouseEvent",
                {
                    "type": "mouseMoved",
                    "x": rect["left"] + rect["width"] * fraction,
                    "y": rect["top"] + rect["height"] / 2,
                },
            )
    lanes = report.css("#timeline canvas.lanes")
    if lanes:
        rect = report.js("return arguments[0].getBoundingClientRect().toJSON()", lanes[0])
        for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
            report.driver.execute_cdp_cmd(
                "Input.dispatchMouseEvent",
                {
                    "type": "mouseMoved",
                    "x": rect["left"] + rect["width"] * fraction,
                    "y": rect["top"] + 5,
                },
            )
    report.css("#tests .filter")[0].send_keys("<script>")
    report.wait_for("return document.querySelector('#tests .shown').textContent.includes(' of ')")

    # Nothing ran: no changed title, no console marker, no alert, no element from a payload.
    assert report.driver.title == title and "pwned" not in report.driver.title
    messages = report.console_messages()
    assert not [m for m in messages if MARKER in m["message"]], messages
    assert not [m for m in messages if "Content Security Policy" in m["message"]], messages
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        report.driver.switch_to.alert.text
    tags = "img, svg, b, iframe, object, embed, [onerror], [onload]"
    injected = report.js("return document.querySelectorAll(arguments[0]).length", tags)
    assert injected == 0
    assert report.js("return document.scripts.length") == 3
    assert report.js("return document.title") == title
