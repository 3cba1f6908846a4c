"""One death each: the recorder names the test, the phase, the cause and the stack."""

import json
import signal

import pytest

from conftest import only_crash

SEGFAULT = "import ctypes; ctypes.string_at(0)"


@pytest.mark.versions
def test_segfault_in_a_test_body(project):
    project.write(
        "test_a.py",
        f"""
        def test_before():
            pass

        def test_segv():
            {SEGFAULT}

        def test_after():
            pass
        """,
    )
    result = project.run("test_a.py")
    assert result.returncode == 128 + signal.SIGSEGV
    report = project.show()
    assert report["status"] == "crashed"
    assert report["exit"]["signal"] == "SIGSEGV"
    crash = only_crash(report)
    assert crash["nodeid"] == "test_a.py::test_segv"
    assert crash["phase"] == "call"
    assert crash["cause"] == "segfault"
    assert crash["signal"] == "SIGSEGV"
    assert crash["worker"] is None
    assert crash["attempt"] == 1
    assert 'test_a.py", line 6 in test_segv' in crash["traceback"]
    assert report["tests"]["collected"] == 3
    assert report["tests"]["passed"] == 1
    assert report["tests"]["crashed"] == 1
    assert report["tests"]["not_run"] == 1
    # The post-mortem printed at the end says the same.
    assert "test_a.py::test_segv died in call: segfault (SIGSEGV)" in result.stderr
    assert "test_a.py::test_segv" in result.stderr.split("re-run")[1]


def test_segfault_in_c_leaves_the_native_stack(project):
    """The supervisor points the plugin at the library beside its binary: the crashing thread's
    native stack is written (docs/formats/native-stacks.md)."""
    project.write("test_c.py", f"def test_segv():\n    {SEGFAULT}\n")
    result = project.run("test_c.py")
    assert result.returncode == 128 + signal.SIGSEGV
    run_dir = project.latest
    (native,) = (run_dir / "native").glob("1-main-*.txt")
    text = native.read_text("ascii", "replace")
    assert text.startswith("record fatal id=0 signal=11 code=1 addr=0x0 ")
    assert "\nend thread frames=" in text and "/libc.so.6\n" in text
    assert text.endswith("end maps\nend record id=0\n")
    (journal,) = (run_dir / "journal").glob("1-main-*.jsonl")
    start = json.loads(journal.read_text().splitlines()[0])
    assert signal.SIGRTMIN <= start["native_signal"] <= signal.SIGRTMAX


@pytest.mark.versions
def test_abort_in_a_fixture_setup(project):
    project.write(
        "test_b.py",
        """
        import os
        import pytest

        @pytest.fixture
        def resource():
            os.abort()

        def test_uses_resource(resource):
            pass
        """,
    )
    result = project.run("test_b.py")
    assert result.returncode == 128 + signal.SIGABRT
    crash = only_crash(project.show())
    assert (crash["nodeid"], crash["phase"], crash["cause"], crash["signal"]) == (
        "test_b.py::test_uses_resource",
        "setup",
        "abort",
        "SIGABRT",
    )
    assert "in resource" in crash["traceback"]


@pytest.mark.versions
def test_sigkill_in_a_fixture_teardown(project):
    project.write(
        "test_c.py",
        """
        import os
        import signal
        import pytest

        @pytest.fixture
        def resource():
            yield 1
            os.kill(os.getpid(), signal.SIGKILL)

        def test_uses_resource(resource):
            assert resource == 1
        """,
    )
    result = project.run("test_c.py")
    assert result.returncode == 128 + signal.SIGKILL
    report = project.show()
    crash = only_crash(report)
    assert (crash["nodeid"], crash["phase"], crash["cause"], crash["signal"]) == (
        "test_c.py::test_uses_resource",
        "teardown",
        "killed",
        "SIGKILL",
    )
    assert crash["traceback"] is None
    # The crash in teardown is counted once, as a crash (not also as a pass).
    assert report["tests"]["crashed"] == 1
    assert report["tests"]["passed"] == 0


@pytest.mark.versions
def test_os_exit_in_a_test(project):
    project.write(
        "test_d.py",
        """
        import os

        def test_exits():
            os._exit(3)
        """,
    )
    result = project.run("test_d.py")
    assert result.returncode == 3
    crash = only_crash(project.show())
    assert (crash["nodeid"], crash["phase"], crash["cause"], crash["exit_code"]) == (
        "test_d.py::test_exits",
        "call",
        "exit",
        3,
    )
    assert crash["signal"] is None


def test_os_exit_zero_never_reads_as_success(project):
    project.write("test_e.py", "import os\n\ndef test_exits():\n    os._exit(0)\n")
    result = project.run("test_e.py")
    assert result.returncode == 1
    assert project.show()["status"] == "crashed"


@pytest.mark.versions
def test_segfault_while_a_test_module_is_imported(project):
    project.write("test_fine.py", "def test_fine():\n    pass\n")
    project.write("test_import.py", f"{SEGFAULT}\n\ndef test_never():\n    pass\n")
    result = project.run()
    assert result.returncode == 128 + signal.SIGSEGV
    report = project.show()
    crash = only_crash(report)
    assert crash["phase"] == "collect"
    assert crash["module"] == "test_import.py"
    assert crash["cause"] == "segfault"
    assert "test_import.py" in crash["traceback"]
    assert "pytest died while collecting test_import.py" in result.stderr


@pytest.mark.versions
def test_a_clean_suite_passes_its_exit_status_through(project):
    project.write(
        "test_f.py",
        """
        import pytest

        def test_pass():
            pass

        def test_fail():
            assert 1 == 2

        @pytest.mark.skip(reason="not today")
        def test_skip():
            pass
        """,
    )
    result = project.run("test_f.py")
    assert result.returncode == 1
    report = project.show()
    assert report["status"] == "failed"
    assert report["crashes"] == []
    tests = report["tests"]
    assert (tests["passed"], tests["failed"], tests["skipped"], tests["not_run"]) == (1, 1, 1, 0)
    assert report["exit"] == {"code": 1, "signal": None, "pytest_exitstatus": 1, "blackbox": 1}


def test_a_passing_suite_exits_zero(project):
    project.write("test_g.py", "def test_pass():\n    pass\n")
    result = project.run("test_g.py")
    assert result.returncode == 0
    assert project.show()["status"] == "passed"
    assert "blackbox: passed" in result.stderr


def test_parametrized_ids_are_reported_byte_for_byte(project):
    project.write(
        "test_ids.py",
        """
        import ctypes
        import pytest

        @pytest.mark.parametrize("value", ["é", "it's \\"quoted\\"", "a::b/c"])
        def test_odd(value):
            if value == "a::b/c":
                ctypes.string_at(0)
        """,
    )
    listed = project.run("test_ids.py", "--collect-only", "-q")
    pytest_ids = [line for line in listed.stdout.splitlines() if line.startswith("test_ids.py::")]
    assert len(pytest_ids) == 3
    result = project.run("test_ids.py", "-v")
    assert result.returncode == 128 + signal.SIGSEGV
    crash = only_crash(project.show())
    assert crash["nodeid"] == pytest_ids[2]
    assert crash["nodeid"] in result.stdout  # as pytest printed it
    postmortem = (project.latest / "postmortem.json").read_bytes()
    assert postmortem  # written by the supervisor at the end


@pytest.mark.versions
def test_what_a_dying_test_printed_is_recovered(project):
    project.write(
        "test_o.py",
        """
        import ctypes
        import logging
        import sys
        import time

        def test_talks_then_dies():
            logging.getLogger("driver").error("ioctl returned -5")
            print("connecting to the device")
            print("about to call the driver", file=sys.stderr)
            time.sleep(0.3)  # the supervisor opens pytest's capture files meanwhile
            ctypes.string_at(0)
        """,
    )
    result = project.run("test_o.py", options=["--junitxml", "j.xml"])
    assert result.returncode == 128 + signal.SIGSEGV
    crash = only_crash(project.show())
    assert "connecting to the device" in crash["captured_stdout"]
    assert "about to call the driver" in crash["captured_stderr"]
    assert "ERROR    driver:test_o.py:" in crash["captured_log"]
    assert "connecting to the device" in result.stderr  # the post-mortem shows the last lines
    junit = (project.root / "j.xml").read_text()
    assert "<system-out>" in junit and "connecting to the device" in junit
    assert "<system-err>" in junit and "about to call the driver" in junit
    assert "ioctl returned -5" in junit
