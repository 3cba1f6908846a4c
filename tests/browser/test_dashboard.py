"""The dashboard of `blackbox serve` in headless Chromium: runs pushed by the real binary are
listed, a run's page and a test's history show them, the history's charts are drawn, and node ids
that carry markup and script are shown as text without anything of them running."""

import subprocess
import time
import urllib.parse

import pytest
from selenium.common.exceptions import NoAlertPresentException
from test_untrusted_text import CRASH_ID, MARKER, PAYLOADS, SUITE

INJECTED = "img, svg, b, iframe, object, embed, [onerror], [onload]"


class Server:
    """`blackbox serve` on 127.0.0.1 and a free port, over a fresh SQLite database."""

    def __init__(self, blackbox_bin, database):
        self.process = subprocess.Popen(
            [str(blackbox_bin), "serve", "--listen", "127.0.0.1:0", "--db", str(database)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        if "listening on http://127.0.0.1:" not in line:
            self.process.kill()
            raise AssertionError(f"the server did not start: {line}{self.process.stderr.read()}")
        self.url = "http://127.0.0.1:" + line.split("127.0.0.1:")[1].split("/")[0]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def dashboard(record, blackbox_bin, tmp_path_factory):
    """A server holding two pushed runs of the hostile suite (a history of two points)."""
    project, _ = record("dashboard", {"test_xss.py": SUITE}, "test_xss.py")
    time.sleep(1.1)  # runs are listed by their start, to the second
    project.run("test_xss.py", timeout=120)
    server = Server(blackbox_bin, tmp_path_factory.mktemp("served") / "metrics.db")
    try:
        for run in sorted((project.root / ".blackbox" / "runs").iterdir()):
            pushed = project.blackbox("push", str(run), "--server", server.url)
            assert pushed.returncode == 0, pushed.stdout + pushed.stderr
        yield server
    finally:
        server.stop()


def open_page(driver, url):
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    return driver


def nothing_ran(driver, title):
    """No payload changed the title, logged its marker, opened an alert or added an element."""
    assert driver.title == title
    messages = driver.get_log("browser")
    assert not [m for m in messages if MARKER in m["message"]], messages
    assert not [m for m in messages if "Content Security Policy" in m["message"]], messages
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text
    assert (
        driver.execute_script("return document.querySelectorAll(arguments[0]).length", INJECTED)
        == 0
    )


def link_texts(driver, prefix):
    return driver.execute_script(
        "return [...document.querySelectorAll('a')].filter(a => a.getAttribute('href')"
        ".startsWith(arguments[0])).map(a => a.textContent)",
        prefix,
    )


def test_the_runs_page_lists_each_pushed_run_newest_first(browser, dashboard):
    open_page(browser, dashboard.url + "/")
    runs = link_texts(browser, "/runs/")
    assert len(runs) == 2
    statuses = browser.execute_script(
        "return [...document.querySelectorAll('tbody tr')].map(r => r.textContent)"
    )
    assert all("crashed" in row for row in statuses), statuses
    nothing_ran(browser, "runs · blackbox")


def test_a_runs_page_shows_hostile_node_ids_as_text(browser, dashboard):
    open_page(browser, dashboard.url + "/")
    browser.find_element("css selector", "a[href^='/runs/']").click()
    title = browser.title
    assert title.startswith("run ") and "pwned" not in title
    shown = set(link_texts(browser, "/tests?nodeid="))
    expected = {f"test_xss.py::test_payload[{p}]" for p in PAYLOADS}
    crash = f"test_xss.py::test_zz_crash[{CRASH_ID}]"
    assert expected | {crash} <= shown
    body = browser.find_element("css selector", "body").text
    assert "SIGSEGV" in body or "segfault" in body
    nothing_ran(browser, title)


def test_a_tests_history_draws_its_charts_and_runs_no_payload(browser, dashboard):
    for payload in PAYLOADS[:3] + [PAYLOADS[4]]:
        nodeid = f"test_xss.py::test_payload[{payload}]"
        url = dashboard.url + "/tests?nodeid=" + urllib.parse.quote(nodeid, safe="")
        open_page(browser, url)
        assert browser.find_element("css selector", "h1").text == nodeid
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline and len(browser.find_elements("css selector", "canvas")) < 2
        ):
            time.sleep(0.05)
        drawn = browser.execute_script(
            """
            return [...document.querySelectorAll('canvas')].map(canvas => {
              const pixels = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
              let painted = 0;
              for (let i = 3; i < pixels.length; i += 4) painted += pixels[i] > 0;
              return painted;
            });
            """
        )
        assert len(drawn) == 2 and all(count > 0 for count in drawn), drawn
        rows = browser.find_elements("css selector", "main > table tbody tr")
        assert len(rows) == 2  # one row per pushed run
        nothing_ran(browser, f"{nodeid} · blackbox")


def test_a_runs_report_is_served_drawn_and_runs_no_payload(browser, dashboard):
    open_page(browser, dashboard.url + "/")
    browser.find_element("css selector", "a[href^='/runs/']").click()
    browser.find_element("css selector", ".report-link a").click()
    assert browser.current_url.endswith("/report")
    title = browser.title
    assert title.startswith("blackbox: crashed") and "pwned" not in title
    culprit = browser.find_element("css selector", "#verdict .crash .culprit").text
    assert culprit == f"test_xss.py::test_zz_crash[{CRASH_ID}]"
    # The report's own script ran under the page's policy: the timeline drawn, every test listed.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not browser.find_elements(
        "css selector", "#timeline .u-wrap canvas"
    ):
        time.sleep(0.05)
    painted = browser.execute_script(
        """
        const canvas = document.querySelector('#timeline .u-wrap canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) painted += pixels[i] > 0;
        return painted;
        """
    )
    assert painted > 1_000
    rows = browser.find_elements("css selector", "#tests .rows .row")
    assert len(rows) == len(PAYLOADS) + 1
    nothing_ran(browser, title)
