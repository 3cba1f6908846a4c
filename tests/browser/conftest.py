"""Fixtures for the browser tests: runs recorded by the real `blackbox` binary, and their
report.html opened in real headless Chromium (Debian's chromium and chromium-driver, Selenium)."""

import importlib.util
import os
import shutil
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("BLACKBOX_ARTIFACTS", Path(__file__).parent / "artifacts"))
VIEWPORT = (1366, 768)  # a laptop screen: the verdict must be readable without scrolling


def _e2e_fixtures():
    """tests/e2e/conftest.py, loaded under another name (both files are called conftest)."""
    spec = importlib.util.spec_from_file_location("e2e_conftest", REPO / "tests/e2e/conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


e2e = _e2e_fixtures()
Project = e2e.Project
blackbox_bin = e2e.blackbox_bin
report_data = e2e.report_data


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through chromedriver, its console log kept; skipped when missing."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="python3-selenium is missing")
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not chromium:
        pytest.skip("chromium is not installed (scripts/install-deps installs it)")
    if not chromedriver:
        pytest.skip("chromedriver is not installed (Debian's chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False},
    )
    yield driver
    driver.quit()


class Report:
    """One report.html loaded in the browser, with its data."""

    def __init__(self, driver, path):
        self.driver = driver
        self.path = Path(path)
        self.data = report_data(self.path)
        tests = self.data["tests"]
        self.nodeids = [
            self.data["prefixes"][p] + n for p, n in zip(tests["prefix"], tests["name"])
        ]
        self.console = []

    def open(self, timeout=20):
        """Navigates to the file and waits for data-ready; fails on the page's own error."""
        self.driver.get_log("browser")  # drop what earlier pages logged
        self.driver.get(self.path.as_uri())
        deadline = time.monotonic() + timeout
        ready = None
        while time.monotonic() < deadline:
            ready = self.driver.execute_script(
                "return document.body && document.body.dataset.ready"
            )
            if ready:
                break
            time.sleep(0.05)
        self.console += self.driver.get_log("browser")
        if ready == "error":
            shown = self.js("return document.querySelector('.report-error').textContent")
            pytest.fail(f"the report showed an error: {shown}")
        assert ready == "1", f"the report was not ready after {timeout} s; console: {self.console}"
        return self

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def css(self, selector):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def visible_rows(self):
        """The test indices of the table's rows in the DOM, top to bottom."""
        return self.js(
            "return [...document.querySelectorAll('#tests .rows .row:not([hidden])')]"
            ".map(r => Number(r.dataset.test))"
        )

    def view(self):
        """The timeline's x range in seconds since the run's start."""
        return tuple(
            map(float, self.js("return document.getElementById('timeline').dataset.view").split())
        )

    def wait_for(self, script, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(script)
            if value:
                return value
            time.sleep(0.05)
        pytest.fail(f"timed out waiting for: {script}")

    def console_messages(self):
        self.console += self.driver.get_log("browser")
        return self.console

    def screenshot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.driver.save_screenshot(str(path))
        return path


@pytest.fixture(scope="session")
def record(tmp_path_factory, blackbox_bin):
    """Records a suite (`blackbox run OPTIONS -- python -m pytest ARGS`); its run directory."""

    def record(name, files, *pytest_args, options=()):
        project = Project(tmp_path_factory.mktemp(name), blackbox_bin)
        for relative, text in files.items():
            project.write(relative, text)
        result = project.run(*pytest_args, options=options, timeout=120)
        run = project.latest
        assert (
            run / "report.html"
        ).is_file(), f"no report.html in the run directory\n{result.stdout}\n{result.stderr}"
        return project, run

    return record
