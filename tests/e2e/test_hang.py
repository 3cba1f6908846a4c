"""--hang-timeout: a stuck test phase is dumped, killed and reported as a hang."""

import signal
import time

import pytest

from conftest import only_crash

TIMEOUT_S = 2


@pytest.mark.parametrize(
    "body, frame",
    [
        ("time.sleep(600)", "in test_stuck"),
        # A C call that holds the GIL: in-process timeouts cannot act, a signal still can.
        ("ctypes.PyDLL(None).sleep(600)", "in test_stuck"),
    ],
    ids=["sleep", "gil-holding-c-call"],
)
@pytest.mark.versions
def test_a_hung_test_is_dumped_and_killed(project, body, frame):
    project.write(
        "test_h.py",
        f"""
        import ctypes
        import time

        def test_before():
            pass

        def test_stuck():
            {body}
        """,
    )
    started = time.monotonic()
    result = project.run("test_h.py", options=["--hang-timeout", str(TIMEOUT_S)], timeout=120)
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT_S + 15, elapsed  # caught, not waited out
    assert result.returncode == 128 + signal.SIGKILL
    report = project.show()
    crash = only_crash(report)
    assert (crash["nodeid"], crash["phase"], crash["cause"]) == (
        "test_h.py::test_stuck",
        "call",
        "hang",
    )
    assert "hang watchdog" in crash["evidence"]
    assert frame in crash["traceback"]
    assert report["tests"]["passed"] == 1


def test_a_hung_xdist_worker_is_killed_and_the_others_finish(project):
    pytest.importorskip("xdist")
    project.write(
        "test_h.py",
        """
        import time
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_fine(n):
            time.sleep(0.1)

        def test_stuck():
            time.sleep(600)
        """,
    )
    result = project.run("-n", "2", "test_h.py", options=["--hang-timeout", str(TIMEOUT_S)])
    report = project.show()
    crash = only_crash(report)
    assert (crash["nodeid"], crash["cause"]) == ("test_h.py::test_stuck", "hang")
    assert crash["worker"].startswith("gw")
    assert "in test_stuck" in crash["traceback"]
    assert report["tests"]["passed"] == 4
    assert result.returncode == 1
