"""When the plugin records, where, and what it leaves when it cannot."""

import json
import os
import signal
import re
from pathlib import Path

import pytest
from recording import collected, events, journal, journals, stems

PLUGIN = ("-p", "pytest_blackbox.plugin")
TRIVIAL = """
def test_one():
    pass

def test_two():
    pass
"""
RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


def test_inactive_plugin_writes_nothing_and_registers_no_recorder(
    pytester: pytest.Pytester, clean_env
):
    pytester.makepyfile(
        """
        def test_plugin_loaded_but_idle(request):
            manager = request.config.pluginmanager
            assert manager.has_plugin("pytest_blackbox.plugin")
            assert manager.get_plugin("blackbox-recorder") is None
        """
    )
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1)
    assert not (pytester.path / ".blackbox").exists()
    assert "BLACKBOX_RUN_DIR" not in os.environ


def test_env_run_dir_activates_and_writes_one_file_set_per_process(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=2)
    (stem,) = stems(run_dir)
    assert re.fullmatch(rf"1-main-{os.getpid()}", stem)
    assert (run_dir / "collected" / f"{stem}.jsonl").exists()
    assert (run_dir / "faulthandler" / f"{stem}.txt").exists()
    records = journal(run_dir)
    assert events(records)[:2] == ["start", "session_start"]
    assert events(records)[-2:] == ["session_end", "exit"]
    assert not (run_dir / "run.json").exists()  # the supervisor writes it


def test_start_record_describes_the_process(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(TRIVIAL)
    pytester.runpytest(*PLUGIN, "-q")
    start = journal(run_dir)[0]
    assert start["v"] == 1
    assert start["pid"] == os.getpid() and start["ppid"] == os.getppid()
    assert start["worker"] is None and start["attempt"] == 1
    assert start["args"][:3] == [*PLUGIN, "-q"]
    assert start["cwd"] == str(pytester.path) and start["rootdir"] == str(pytester.path)
    assert start["python"]["version"].count(".") == 2
    assert start["python"]["implementation"] and start["python"]["build"]
    assert start["pytest"] == pytest.__version__
    assert isinstance(start["ns"], int) and isinstance(start["wall"], float)
    assert start["hwm_reset"] is (start["hwm_source"] in ("rusage", "status"))
    assert start["dump_signal"] == signal.SIGUSR2
    # What tells this process from a later one with its pid (blackbox show: still running?).
    with open("/proc/self/stat", "rb") as stat:
        assert start["starttime"] == int(stat.read().rsplit(b")", 1)[1].split()[19])
    with open("/proc/sys/kernel/random/boot_id") as boot:
        assert start["boot_id"] == boot.read().strip()


def test_attempt_comes_from_the_environment(pytester: pytest.Pytester, run_dir: Path, clean_env):
    clean_env.setenv("BLACKBOX_ATTEMPT", "3")
    pytester.makepyfile(TRIVIAL)
    pytester.runpytest(*PLUGIN)
    assert stems(run_dir) == [f"3-main-{os.getpid()}"]
    assert journal(run_dir)[0]["attempt"] == 3


def test_blackbox_option_makes_a_run_directory(pytester: pytest.Pytester, clean_env):
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest(*PLUGIN, "--blackbox")
    result.assert_outcomes(passed=2)
    base = pytester.path / ".blackbox"
    assert (base / ".gitignore").read_text().splitlines()[-1] == "*"
    (run,) = (base / "runs").iterdir()
    assert RUN_ID.match(run.name)
    assert os.readlink(base / "latest") == f"runs/{run.name}"
    run_json = json.loads((run / "run.json").read_text())
    assert run_json["format"] == 1 and run_json["id"] == run.name
    assert run_json["recorder"] == "plugin"
    assert run_json["cwd"] == str(pytester.path)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", run_json["started"])
    assert isinstance(run_json["started_ns"], int) and run_json["command"]
    # The facts of the execution context, which `blackbox` turns into the context.
    assert "context" not in run_json
    facts = run_json["context_facts"]
    assert facts["hostname"] and facts["uname"]["sysname"] == os.uname().sysname
    assert facts["uname"]["machine"] == os.uname().machine
    assert facts["online_cpus"] == os.cpu_count() and facts["cwd"] == str(pytester.path)
    assert facts["files"]["/proc/meminfo"].startswith("MemTotal:")
    assert "/proc/cpuinfo" in facts["files"]
    assert isinstance(facts["environ"], dict) and isinstance(facts["commands"], list)
    assert len(journal(run)) > 4
    assert "BLACKBOX_RUN_DIR" not in os.environ  # exported for workers, restored afterwards


def test_context_facts_hold_the_git_answers_and_the_ci_variables(
    pytester: pytest.Pytester, clean_env
):
    clean_env.setenv("GITHUB_ACTIONS", "true")
    clean_env.setenv("GITHUB_RUN_ID", "42")
    clean_env.setenv("GITHUB_SHA", "abc")
    pytester.makepyfile(TRIVIAL)
    git = ("git", "-c", "user.name=t", "-c", "user.email=t@t")
    for command in (("init", "-q", "-b", "trunk"), ("add", "."), ("commit", "-qm", "x")):
        if pytester.run(*git, *command).ret != 0:
            pytest.skip("git is not usable here")
    pytester.runpytest(*PLUGIN, "--blackbox")
    facts = json.loads((pytester.path / ".blackbox" / "latest" / "run.json").read_text())[
        "context_facts"
    ]
    git = {" ".join(c["argv"][3:]): c["stdout"] for c in facts["commands"]}
    assert git["symbolic-ref --quiet --short HEAD"] == "trunk\n"
    assert re.fullmatch(r"[0-9a-f]{40}\n", git["rev-parse --verify --quiet HEAD"])
    assert git["--no-optional-locks status --porcelain --untracked-files=no"] == ""
    environ = facts["environ"]
    assert (environ["GITHUB_ACTIONS"], environ["GITHUB_RUN_ID"], environ["GITHUB_SHA"]) == (
        "true",
        "42",
        "abc",
    )


def test_ini_flag_and_dir_option_choose_where_runs_go(pytester: pytest.Pytester, clean_env):
    pytester.makeini("[pytest]\nblackbox = true\n")
    pytester.makepyfile(TRIVIAL)
    pytester.runpytest(*PLUGIN, "--blackbox-dir", "records")
    pytester.runpytest(*PLUGIN, "--blackbox-dir", "records")
    runs = sorted(p.name for p in (pytester.path / "records" / "runs").iterdir())
    assert len(runs) == 2
    latest = os.readlink(pytester.path / "records" / "latest")
    assert latest in (f"runs/{runs[0]}", f"runs/{runs[1]}")
    assert not (pytester.path / ".blackbox").exists()


def test_latest_points_at_the_newest_run(pytester: pytest.Pytester, clean_env):
    pytester.makepyfile(TRIVIAL)
    pytester.runpytest(*PLUGIN, "--blackbox")
    first = os.readlink(pytester.path / ".blackbox" / "latest")
    pytester.runpytest(*PLUGIN, "--blackbox")
    second = os.readlink(pytester.path / ".blackbox" / "latest")
    assert first != second
    assert not [p for p in (pytester.path / ".blackbox").iterdir() if ".latest" in p.name]


def test_fsync_option_and_variable_keep_recording(
    pytester: pytest.Pytester, run_dir: Path, clean_env
):
    pytester.makepyfile(TRIVIAL)
    pytester.runpytest(*PLUGIN, "--blackbox-fsync").assert_outcomes(passed=2)
    clean_env.setenv("BLACKBOX_FSYNC", "1")
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=2)
    assert [r["fsync"] for r in journal(run_dir) if r["ev"] == "start"] == [True, True]
    assert events(journal(run_dir)).count("end") == 12


def test_unwritable_run_dir_warns_once_and_changes_nothing(
    pytester: pytest.Pytester, clean_env, tmp_path: Path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    clean_env.setenv("BLACKBOX_RUN_DIR", str(blocker / "run"))
    pytester.makepyfile(TRIVIAL + "\ndef test_three():\n    assert 0\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=2, failed=1)
    assert result.ret == 1
    warnings = [line for line in result.errlines if line.startswith("pytest-blackbox:")]
    assert len(warnings) == 1
    assert warnings[0].startswith("pytest-blackbox: recording disabled: ")
    assert "Not a directory" in warnings[0]


FILL_THE_DISK = """
import os, resource, signal
from pathlib import Path

def fill():
    # A full disk for this process: write() past the limit fails (EFBIG, SIGXFSZ ignored).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    (journal,) = (Path(os.environ["BLACKBOX_RUN_DIR"]) / "journal").glob("*.jsonl")
    full = journal.stat().st_size
    resource.setrlimit(resource.RLIMIT_FSIZE, (full, resource.RLIM_INFINITY))

def free():
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)

def room(size):
    # `size` more bytes fit (fewer than any record): a write tears a record, the next fails.
    (journal,) = (Path(os.environ["BLACKBOX_RUN_DIR"]) / "journal").glob("*.jsonl")
    full = journal.stat().st_size + size
    resource.setrlimit(resource.RLIMIT_FSIZE, (full, resource.RLIM_INFINITY))
"""


def lost_file(run_dir: Path) -> dict:
    """What the journal's `.lost` file says ({} when it says nothing)."""
    (path,) = (run_dir / "lost").glob("*.lost")
    line = path.read_bytes().split(b"\n")[0].split(b"\0")[0]
    return json.loads(line) if line else {}


def test_a_disk_full_to_the_end_loses_records_with_one_warning_and_says_from_when(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        disk=FILL_THE_DISK,
        test_a="""
        import disk

        def test_fill_the_disk():
            disk.fill()

        def test_after():
            pass

        def test_fails():
            assert 0
        """,
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-s", "test_a.py")  # -s: no capture files
    result.assert_outcomes(passed=2, failed=1)
    assert result.ret == 1  # the run is untouched
    warnings = [line for line in result.errlines if line.startswith("pytest-blackbox:")]
    assert len(warnings) == 1, result.errlines
    assert warnings[0].startswith("pytest-blackbox: recording stalled: ")
    assert "File too large" in warnings[0]
    records = journal(run_dir)
    assert (records[-1]["ev"], records[-1]["phase"]) == ("end", "setup")  # its call was running
    assert records[-2]["nodeid"].endswith(".py::test_fill_the_disk")
    lost = lost_file(run_dir)  # written into room reserved at the start
    assert lost["ended"] is True and lost["recovered"] is False
    assert lost["records"] >= 8  # the call's end, two tests, the session's end and the exit
    assert lost["since_ns"] > records[-1]["ns"]
    assert lost["reason"] == "File too large"


@pytest.mark.parametrize("room", [30, 600])
def test_a_retry_that_finds_a_little_room_leaves_no_torn_record(
    pytester: pytest.Pytester, run_dir: Path, room: int
):
    pytester.makepyfile(
        disk=FILL_THE_DISK,
        test_a=f"""
        import disk

        def test_fill_the_disk():
            disk.fill()

        def test_a_little_room():
            disk.room({room})

        def test_after():
            pass
        """,
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-s", "test_a.py")
    result.assert_outcomes(passed=3)
    # Each retry wrote the records waiting that fit whole, tore the next one and took its head
    # back: the journal ends with a whole record, and its loss starts after it.
    (path,) = (run_dir / "journal").glob("*.jsonl")
    assert path.read_bytes().endswith(b"\n")
    records = journal(run_dir)
    if room == 30:  # less than any record: nothing more went in
        assert (records[-1]["ev"], records[-1]["phase"]) == ("end", "setup")
        assert records[-2]["nodeid"].endswith(".py::test_fill_the_disk")
    lost = lost_file(run_dir)
    assert lost["ended"] is True and lost["recovered"] is False
    assert lost["since_ns"] > records[-1]["ns"]


def test_a_disk_freed_again_loses_no_record(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        disk=FILL_THE_DISK,
        test_a="""
        import disk

        def test_fill_the_disk():
            disk.fill()

        def test_while_full():
            pass

        def test_free_it():
            disk.free()

        def test_after():
            pass
        """,
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-s", "test_a.py")
    result.assert_outcomes(passed=4)
    records = journal(run_dir)  # whole lines only, in order
    assert [r["nodeid"].split("::")[1] for r in records if r["ev"] == "test"] == [
        "test_fill_the_disk",
        "test_while_full",
        "test_free_it",
        "test_after",
    ]
    assert "lost" not in events(records)
    assert events(records)[-2:] == ["session_end", "exit"]
    assert lost_file(run_dir)["recovered"] is True


def test_records_past_the_backlog_leave_a_lost_record_where_they_were(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makeconftest(
        "import pytest_blackbox.journal\npytest_blackbox.journal.BACKLOG_BYTES = 400\n"
    )
    pytester.makepyfile(
        disk=FILL_THE_DISK,
        test_a="""
        import disk, pytest

        def test_fill_the_disk():
            disk.fill()

        @pytest.mark.parametrize("i", range(5))
        def test_while_full(i):
            pass

        def test_free_it():
            disk.free()

        def test_after():
            pass
        """,
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-s", "test_a.py")
    result.assert_outcomes(passed=8)
    records = journal(run_dir)
    (lost,) = [r for r in records if r["ev"] == "lost"]
    assert lost["records"] > 0 and lost["reason"] == "File too large"
    after = records[records.index(lost) + 1 :]
    assert [r["nodeid"] for r in after if r["ev"] == "test"][-1].endswith("::test_after")
    assert events(records)[-2:] == ["session_end", "exit"]


def test_a_linked_journal_folder_is_refused_and_its_target_untouched(
    pytester: pytest.Pytester, run_dir: Path, tmp_path: Path
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run_dir.mkdir()
    (run_dir / "journal").symlink_to(elsewhere)
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=2)
    warnings = [line for line in result.errlines if line.startswith("pytest-blackbox:")]
    assert len(warnings) == 1
    assert "journal/ is a symbolic link or not a directory: refused" in warnings[0]
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "plant, said",
    [
        ("os.symlink(TARGET, run / 'journal' / f'{stem}.jsonl')", "is a symbolic link: refused"),
        ("os.mkfifo(run / 'collected' / f'{stem}.jsonl')", "not a regular file of its own"),
        ("os.link(TARGET, run / 'journal' / f'{stem}.jsonl')", "not a regular file of its own"),
    ],
)
def test_a_journal_file_planted_as_a_link_or_a_fifo_is_refused(
    pytester: pytest.Pytester, run_dir: Path, tmp_path: Path, plant: str, said: str
):
    target = tmp_path / "target"
    target.write_text("precious")
    # Loaded with -p before recording starts, in the process that will record: its stem is known.
    pytester.makepyfile(
        planted=f"""
        import os
        from pathlib import Path

        TARGET = {str(target)!r}
        run = Path(os.environ["BLACKBOX_RUN_DIR"])
        for folder in ("journal", "collected"):
            (run / folder).mkdir(parents=True, exist_ok=True)
        stem = f"1-main-{{os.getpid()}}"
        {plant}
        """,
        test_a=TRIVIAL,
    )
    result = pytester.runpytest_subprocess("-p", "planted", *PLUGIN, "test_a.py", timeout=60)
    result.assert_outcomes(passed=2)
    warnings = [line for line in result.errlines if line.startswith("pytest-blackbox:")]
    assert len(warnings) == 1, result.errlines
    assert said in warnings[0]
    assert target.read_text() == "precious"


def test_the_main_process_holds_its_run_while_it_records(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        """
        import fcntl, os, pytest

        def test_the_run_is_held():
            fd = os.open(os.environ["BLACKBOX_RUN_DIR"], os.O_RDONLY)
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.close(fd)
        """
    )
    pytester.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=1)


def test_nested_pytest_inside_a_recorded_test_does_not_record_into_its_run(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        inner="""
        def test_inner():
            pass
        """,
        test_outer="""
        import subprocess, sys

        def test_outer():
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-p", "pytest_blackbox.plugin", "inner.py"]
            )
            assert done.returncode == 0
        """,
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "test_outer.py")
    result.assert_outcomes(passed=1)
    assert list(journals(run_dir)) == ["main"]
    assert [r["nodeid"] for r in journal(run_dir) if r["ev"] == "test"] == [
        "test_outer.py::test_outer"
    ]
    assert len(collected(run_dir)) == 1


def test_in_process_run_leaves_environment_and_faulthandler_as_found(
    pytester: pytest.Pytester, clean_env
):
    import faulthandler

    from pytest_blackbox import plugin

    pytester.makepyfile(TRIVIAL)
    outer_recorders = list(plugin._recording)  # this suite may itself run recorded
    pytester.runpytest(*PLUGIN, "--blackbox").assert_outcomes(passed=2)
    assert "BLACKBOX_RUN_DIR" not in os.environ and "BLACKBOX_RECORDER" not in os.environ
    assert plugin._recording == outer_recorders
    assert faulthandler.is_enabled()  # left pointing at the run's file for interpreter exit


def test_help_does_not_make_a_run_directory(pytester: pytest.Pytester, clean_env):
    pytester.makeini("[pytest]\nblackbox = true\n")
    result = pytester.runpytest(*PLUGIN, "--help")
    assert "--blackbox-dir=DIR" in result.stdout.str()
    assert not (pytester.path / ".blackbox").exists()


def test_a_failure_to_start_recording_is_written_to_the_journal(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makeconftest(
        """
        import pytest_blackbox.faults

        def broken(self, signum):
            raise ValueError("signal only works in main thread of the main interpreter")

        pytest_blackbox.faults.FaultFile.register_dump = broken
        """
    )
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=2)  # the test run is untouched
    assert "pytest-blackbox: recording disabled: internal error: ValueError" in result.stderr.str()
    records = journal(run_dir)
    assert events(records) == ["start", "disabled"]
    assert records[1]["reason"].startswith("internal error: ValueError: signal only works")
