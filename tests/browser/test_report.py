"""The HTML report of a real crashed run, in headless Chromium: the verdict, the timeline, the
table, and what links them."""

import subprocess
import sys

import pytest
from conftest import REPO, VIEWPORT, Project, Report

pytest.importorskip("xdist")

SUITE = """
import ctypes
import time
import pytest

@pytest.mark.parametrize("n", range(10))
def test_steady(n):
    time.sleep(0.04)

def test_grows():
    kept = b"x" * (96 << 20)  # the curve climbs while this test runs
    time.sleep(0.5)

def test_fails():
    assert 1 + 1 == 3, "arithmetic is broken"

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass

def test_segfaults():
    time.sleep(0.3)
    ctypes.string_at(0)
"""
CULPRIT = "test_crash.py::test_segfaults"


@pytest.fixture(scope="module")
def crashed_run(record):
    """A run of two xdist workers, one of whose tests segfaults."""
    return record("crashed", {"test_crash.py": SUITE}, "-n", "2", "test_crash.py")


@pytest.fixture
def report(browser, crashed_run):
    project, run = crashed_run
    return Report(browser, run / "report.html").open()


def painted(report, selector):
    """How many pixels of a canvas are painted, and how many are close to each given colour."""
    return report.js(
        """
        const canvas = document.querySelector(arguments[0]);
        const colours = arguments[1];
        const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        const near = colours.map(() => 0);
        let painted = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i + 3] === 0) continue;
          painted++;
          colours.forEach(([r, g, b], k) => {
            const [pr, pg, pb, pa] = pixels.subarray(i, i + 4);
            if (Math.abs(pr - r) + Math.abs(pg - g) + Math.abs(pb - b) < 40 && pa > 200) near[k]++;
          });
        }
        return [painted, near];
        """,
        selector,
        [[21, 101, 192], [198, 40, 40]],  # the tree's RSS, the crash markers
    )


def full_range(data):
    """The timeline's whole x range, as the page computes it."""
    samples, tests = data["samples"], data["tests"]
    begin = min([0.0] + samples["t"][:1] + [s for s in tests["start"] if s is not None])
    ends = [
        e if e is not None else s for s, e in zip(tests["start"], tests["end"]) if s is not None
    ]
    end = max([data["run"]["duration_s"] or 0] + samples["t"][-1:] + ends)
    end = max([end] + [c["t"] for c in data["crashes"] if c["t"] is not None])
    return begin, end


def running_at(report, t):
    """The tests running at time t: {worker name: test index}."""
    tests = report.data["tests"]
    found = {}
    for i, (start, end) in enumerate(zip(tests["start"], tests["end"])):
        if start is not None and start <= t <= (start if end is None else end):
            found[report.data["workers"][tests["worker"][i]]] = i
    return found


def point_at(report, t, selector="#timeline .u-over"):
    """Viewport coordinates of time t (after a reset) in the middle of an element's height."""
    rect = report.js(
        "return arguments[0].getBoundingClientRect().toJSON()", report.css(selector)[0]
    )
    lo, hi = report.view()
    return rect["left"] + (t - lo) / (hi - lo) * rect["width"], rect["top"] + rect["height"] / 2


def mouse(report, action, x, y):
    """A real pointer event through the DevTools protocol (mouseMoved, mousePressed, …)."""
    events = {"move": ["mouseMoved"], "click": ["mouseMoved", "mousePressed", "mouseReleased"]}
    for kind in events[action]:
        report.driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {
                "type": kind,
                "x": x,
                "y": y,
                "button": "left" if kind != "mouseMoved" else "none",
                "clickCount": 1,
            },
        )


def test_the_verdict_names_the_culprit_without_scrolling(report):
    verdict = report.css("#verdict")[0]
    assert "crashed" in verdict.get_attribute("class")
    culprit = report.css("#verdict .crash .culprit")[0]
    assert culprit.text == CULPRIT
    assert "SIGSEGV" in verdict.text
    bottom = report.js("return arguments[0].getBoundingClientRect().bottom", culprit)
    assert bottom <= VIEWPORT[1], "the culprit is below the fold of a laptop screen"
    stack_top = report.js(
        "return document.querySelector('#verdict .stack').getBoundingClientRect().top"
    )
    assert stack_top < VIEWPORT[1]


def test_the_chart_draws_the_curve_the_crash_and_the_lanes(report):
    painted_pixels, (rss_pixels, crash_pixels) = painted(report, "#timeline .u-wrap canvas")
    assert painted_pixels > 10_000
    assert rss_pixels > 200, "no RSS curve"
    assert crash_pixels > 50, "no crash marker"
    lanes_pixels, _ = painted(report, "#timeline canvas.lanes")
    assert lanes_pixels > 1_000
    data = report.data
    assert data["run"]["sampled"] and len(data["samples"]["t"]) > 10
    assert {"gw0", "gw1"} <= set(data["workers"])
    assert not [m for m in report.console_messages() if m["level"] == "SEVERE"]


def test_the_table_sorts_numbers_with_nulls_last(report):
    peak = report.data["tests"]["peak_rss"]
    assert None in peak  # the crashed test's peak was never written
    known = [i for i in range(len(peak)) if peak[i] is not None]
    nulls = [i for i in range(len(peak)) if peak[i] is None]
    header = report.css('#tests [data-key="peak_rss"] button')[0]
    header.click()  # largest first
    assert report.css('#tests [data-key="peak_rss"]')[0].get_attribute("aria-sort") == "descending"
    assert report.visible_rows() == sorted(known, key=lambda i: (-peak[i], i)) + nulls
    header.click()
    assert report.css('#tests [data-key="peak_rss"]')[0].get_attribute("aria-sort") == "ascending"
    assert report.visible_rows() == sorted(known, key=lambda i: (peak[i], i)) + nulls
    report.css('#tests [data-key="nodeid"] button')[0].click()
    rows = report.visible_rows()
    assert [report.nodeids[i] for i in rows] == sorted(report.nodeids)


def test_the_table_filters_by_node_id_and_outcome(report):
    from selenium.webdriver.support.ui import Select

    report.css("#tests .filter")[0].send_keys("steady")
    report.wait_for(
        "return document.querySelector('#tests .shown').textContent.startsWith('10 of')"
    )
    assert all("test_steady[" in report.nodeids[i] for i in report.visible_rows())
    assert len(report.visible_rows()) == 10
    report.css("#tests .filter")[0].clear()
    Select(report.css("#tests .outcome-filter")[0]).select_by_value("failed")
    rows = report.visible_rows()
    assert [report.nodeids[i] for i in rows] == ["test_crash.py::test_fails"]
    Select(report.css("#tests .outcome-filter")[0]).select_by_value("problems")
    assert {report.nodeids[i] for i in report.visible_rows()} == {
        "test_crash.py::test_fails",
        CULPRIT,
    }


def test_clicking_a_row_selects_its_test_and_shows_it_on_the_timeline(report):
    failing = report.nodeids.index("test_crash.py::test_fails")
    before = report.js("return document.querySelector('#timeline .u-wrap canvas').toDataURL()")
    row = report.css(f'#tests .rows .row[data-test="{failing}"]')[0]
    row.click()
    assert "selected" in row.get_attribute("class")
    details = report.css("#details")[0].text
    assert "test_crash.py::test_fails" in details and "arithmetic is broken" in details
    after = report.js("return document.querySelector('#timeline .u-wrap canvas').toDataURL()")
    assert after != before, "the selected test's stretch was not drawn"
    # Zoomed in elsewhere, a click on the row brings the test back into view.
    report.css("#timeline .reset")[0].click()
    tests = report.data["tests"]
    start, end = tests["start"][failing], tests["end"][failing]
    other = max(range(len(tests["start"])), key=lambda i: tests["start"][i] or 0)
    report.css(f'#tests .rows .row[data-test="{other}"]')[0].click()
    lo, hi = full_range(report.data)
    report.css("#timeline .reset")[0].click()
    x, y = point_at(report, tests["start"][other])
    for _ in range(12):
        report.driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": -100},
        )
    view = report.view()
    assert view[1] - view[0] < (hi - lo) / 5, "the wheel did not zoom"
    row.click()
    view = report.view()
    assert view[0] <= start and end <= view[1], (view, start, end)


def test_hovering_names_the_running_test_per_worker_and_clicking_selects_it(report):
    grows = report.nodeids.index("test_crash.py::test_grows")
    tests = report.data["tests"]
    t = (tests["start"][grows] + tests["end"][grows]) / 2
    x, y = point_at(report, t)
    mouse(report, "move", x, y)
    info = report.css("#timeline .cursor-info")[0].text
    for worker, test in running_at(report, t).items():
        assert worker in info and report.nodeids[test] in info, info
    mouse(report, "click", x, y)
    selected = report.wait_for(
        "return document.querySelector('#tests .row.selected')?.dataset.test"
    )
    assert int(selected) in running_at(report, t).values()


def test_clicking_a_stretch_in_a_workers_lane_selects_that_test(report):
    grows = report.nodeids.index("test_crash.py::test_grows")
    tests = report.data["tests"]
    lanes = report.css("#timeline canvas.lanes")[0]
    names = lanes.get_attribute("data-lanes").split()
    stride = float(lanes.get_attribute("data-stride"))
    row = names.index(report.data["workers"][tests["worker"][grows]])
    x, _ = point_at(report, (tests["start"][grows] + tests["end"][grows]) / 2)
    top = report.js("return arguments[0].getBoundingClientRect().top", lanes)
    mouse(report, "move", x, top + row * stride + stride / 2)
    tip = report.css("#timeline .lane-tip")[0]
    assert tip.is_displayed() and "test_crash.py::test_grows" in tip.text
    mouse(report, "click", x, top + row * stride + stride / 2)
    selected = report.wait_for(
        "return document.querySelector('#tests .row.selected')?.dataset.test"
    )
    assert int(selected) == grows
    assert "test_crash.py::test_grows" in report.css("#details")[0].text


def test_shift_drag_pans_without_changing_the_span(report):
    lo, hi = full_range(report.data)
    x, y = point_at(report, (lo + hi) / 2)
    for _ in range(4):
        report.driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": -100},
        )
    before = report.view()
    shift = 8
    for kind, at, buttons in (("mousePressed", x, 1), ("mouseMoved", x + 100, 1)):
        report.driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {
                "type": kind,
                "x": at,
                "y": y,
                "button": "left",
                "buttons": buttons,
                "clickCount": 1,
                "modifiers": shift,
            },
        )
    report.driver.execute_cdp_cmd(
        "Input.dispatchMouseEvent",
        {
            "type": "mouseReleased",
            "x": x + 100,
            "y": y,
            "button": "left",
            "clickCount": 1,
            "modifiers": shift,
        },
    )
    after = report.view()
    assert after[1] - after[0] == pytest.approx(before[1] - before[0], rel=1e-6)
    assert after[0] < before[0], "dragging to the right shows what came before"


def test_zoom_by_dragging_and_reset_by_double_click(report):
    lo, hi = full_range(report.data)
    assert report.view() == pytest.approx((lo, hi), abs=1e-6)
    (x0, y), (x1, _) = point_at(report, lo + (hi - lo) * 0.2), point_at(
        report, lo + (hi - lo) * 0.4
    )
    driver = report.driver
    driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x0, "y": y})
    driver.execute_cdp_cmd(
        "Input.dispatchMouseEvent",
        {"type": "mousePressed", "x": x0, "y": y, "button": "left", "clickCount": 1},
    )
    driver.execute_cdp_cmd(
        "Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x1, "y": y, "buttons": 1}
    )
    driver.execute_cdp_cmd(
        "Input.dispatchMouseEvent",
        {"type": "mouseReleased", "x": x1, "y": y, "button": "left", "clickCount": 1},
    )
    view = report.view()
    assert view == pytest.approx((lo + (hi - lo) * 0.2, lo + (hi - lo) * 0.4), rel=0.05, abs=0.05)
    mouse(report, "move", x0, y)
    for count in (1, 2):
        driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {"type": "mousePressed", "x": x0, "y": y, "button": "left", "clickCount": count},
        )
        driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {"type": "mouseReleased", "x": x0, "y": y, "button": "left", "clickCount": count},
        )
    assert report.view() == pytest.approx((lo, hi), abs=1e-6)


def test_clicking_the_crash_in_the_verdict_zooms_to_it_and_keeps_a_screenshot(report):
    crash = report.data["crashes"][0]
    report.css("#verdict li.crash")[0].click()
    lo, hi = report.view()
    full = full_range(report.data)
    assert lo <= crash["t"] <= hi and hi - lo < full[1] - full[0]
    selected = report.wait_for(
        "return document.querySelector('#tests .row.selected')?.dataset.test"
    )
    assert report.nodeids[int(selected)] == CULPRIT
    assert "SIGSEGV" in report.css("#details")[0].text
    report.js("window.scrollTo(0, 0)")
    path = report.screenshot("crashed-run.png")
    assert path.stat().st_size > 10_000


def test_a_run_without_a_memory_trail_says_so_and_lists_its_tests(browser, tmp_path, blackbox_bin):
    """`pytest --blackbox` records without the supervisor; `blackbox report --html` draws it."""
    project = Project(tmp_path, blackbox_bin)
    project.write("test_plain.py", "def test_a():\n    pass\n\ndef test_b():\n    assert 0\n")
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pytest_blackbox.plugin", "--blackbox", "-q"],
        cwd=project.root,
        env=project.env({"PYTHONPATH": str(REPO / "python")}),
        capture_output=True,
        timeout=60,
    )
    out = tmp_path / "plain.html"
    result = project.blackbox("report", str(project.latest), "--html", str(out))
    assert result.returncode == 0, result.stderr
    report = Report(browser, out).open()
    assert report.data["run"]["sampled"] is False
    assert "no memory trail" in report.css("#timeline .no-trail")[0].text
    assert not report.css("#timeline canvas")
    assert sorted(report.nodeids[i] for i in report.visible_rows()) == [
        "test_plain.py::test_a",
        "test_plain.py::test_b",
    ]
