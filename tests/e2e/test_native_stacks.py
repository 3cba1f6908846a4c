"""Native stacks: a C extension's crash names its C functions, files and lines; a hang shows
every thread's native stack; C++ frames are demangled; a stripped object still gives object and
offset. The extensions are built here, from tests/e2e/native/, with Python's own headers."""

import json
import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import load_report, only_crash, report_data

SOURCES = Path(__file__).resolve().parent / "native"


def _line_of(marker):
    for number, line in enumerate((SOURCES / "crashext.c").read_text().splitlines(), 1):
        if marker in line:
            return number
    raise AssertionError(marker)


def _build(argv, what):
    done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == 0, f"building {what}: {done.stderr}"


@pytest.fixture(scope="module")
def extensions(tmp_path_factory):
    """crashext (a C extension, -O0 -g), its stripped copy and libthrower.so (C++)."""
    include = sysconfig.get_paths()["include"]
    if not (Path(include) / "Python.h").is_file():
        pytest.skip(f"Python's headers are not installed ({include}/Python.h: python3-dev)")
    if shutil.which("gcc") is None or shutil.which("g++") is None:
        pytest.skip("no C/C++ compiler (gcc, g++)")
    out = tmp_path_factory.mktemp("native")
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    plain, stripped = out / "plain", out / "stripped"
    plain.mkdir()
    stripped.mkdir()
    built = plain / f"crashext{suffix}"
    _build(
        [
            "gcc",
            "-shared",
            "-fPIC",
            "-O0",
            "-g",
            f"-I{include}",
            "-pthread",
            "-o",
            str(built),
            str(SOURCES / "crashext.c"),
        ],
        "crashext",
    )
    _build(["strip", "--strip-all", "-o", str(stripped / built.name), str(built)], "strip")
    thrower = out / "libthrower.so"
    _build(
        ["g++", "-shared", "-fPIC", "-O0", "-g", "-o", str(thrower), str(SOURCES / "thrower.cpp")],
        "libthrower",
    )
    return {"plain": plain, "stripped": stripped, "thrower": thrower}


def _suite(project, extensions, body, which="plain"):
    project.write(
        "test_native.py",
        f"""
        import ctypes
        import sys
        sys.path.insert(0, {str(extensions[which])!r})
        import crashext

        def test_before():
            pass

        def test_native():
            {body}

        def test_after():
            pass
        """,
    )


def _functions(frames):
    return [frame["function"] for frame in frames]


def _show_text(project):
    result = project.blackbox("show")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("mode", [["-p", "no:xdist"], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_c_extension_crash_names_its_functions_files_and_lines(project, extensions, mode):
    if mode[0] == "-n":
        pytest.importorskip("xdist")
    _suite(project, extensions, "crashext.crash()")
    result = project.run("test_native.py", *mode)
    assert result.returncode != 0
    report = project.show()
    crash = only_crash(report)
    assert (crash["nodeid"], crash["cause"], crash["signal"]) == (
        "test_native.py::test_native",
        "segfault",
        "SIGSEGV",
    )
    assert "test_native" in crash["traceback"]  # the Python stack, as before
    frames = crash["native_stack"]
    assert _functions(frames)[:3] == ["crash_in_native", "second_helper", "first_helper"]
    for frame, marker in zip(frames, ["CRASH LINE", "SECOND HELPER LINE", "FIRST HELPER LINE"]):
        assert frame["file"].endswith("crashext.c"), frame
        assert frame["line"] == _line_of(marker), frame
        assert Path(frame["object"]).name.startswith("crashext"), frame
        assert int(frame["pc"], 16) > 0 and int(frame["offset"], 16) > 0
    assert crash["native_source"] == "handler"
    # Below the extension: the interpreter that called it.
    assert any("python" in Path(frame["object"]).name for frame in frames[3:])
    text = _show_text(project)
    native = text[text.index("native") :]
    at = [native.index(name) for name in ("crash_in_native", "second_helper", "first_helper")]
    assert at == sorted(at), native
    assert f"crashext.c:{_line_of('CRASH LINE')}" in native
    assert report["tests"]["passed"] == (2 if mode[0] == "-n" else 1)
    # Every report shows it too: the HTML crash card, JUnit's crash text, the Markdown summary,
    # and the JSON report (validated against its schema).
    done = project.blackbox(
        "report", "--junitxml", "r.xml", "--md", "r.md", "--html", "r.html", "--json", "r.json"
    )
    assert done.returncode == 0, done.stderr
    card = report_data(project.root / "r.html")["crashes"][0]
    assert card["native_lines"][0].startswith("crash_in_native at ")
    page = (project.root / "r.html").read_text()
    assert "native stack: SIGSEGV" in page and "second_helper at " in page
    junit = (project.root / "r.xml").read_text()
    assert "Native stack: SIGSEGV" in junit and "first_helper at " in junit
    markdown = (project.root / "r.md").read_text()
    assert "Native stack of <code>test_native.py::test_native</code>" in markdown
    assert "crash_in_native at " in markdown
    json_crash = load_report(project.root / "r.json")["crashes"][0]
    assert _functions(json_crash["native_stack"])[:3] == [
        "crash_in_native",
        "second_helper",
        "first_helper",
    ]


def test_a_crash_in_libc_is_named_with_its_debug_symbols(project, extensions):
    _suite(project, extensions, "ctypes.string_at(0)")
    project.run("test_native.py", "-p", "no:xdist")
    crash = only_crash(project.show())
    top = crash["native_stack"][0]
    assert Path(top["object"]).name.startswith("libc.so"), top
    debug = Path("/usr/lib/debug/.build-id")
    if not debug.is_dir() or not any(debug.iterdir()):
        assert top["function"] in (None, "strlen") or top["function"].startswith("__strlen")
        pytest.skip("libc6-dbg is not installed: the frame is named only by object and offset")
    # Not in libc's dynamic symbol table: only its debug file names it.
    assert top["function"].startswith("__strlen_"), top
    assert any(
        frame["function"] == "string_at" or "ctypes" in frame["object"]
        for frame in crash["native_stack"][1:]
    )


def test_an_abort_from_cpp_is_demangled(project, extensions):
    _suite(
        project,
        extensions,
        f"ctypes.CDLL({str(extensions['thrower'])!r}).terminate_from_cpp()",
    )
    project.run("test_native.py", "-p", "no:xdist")
    crash = only_crash(project.show())
    assert crash["cause"] == "abort" and crash["signal"] == "SIGABRT"
    functions = [name or "" for name in _functions(crash["native_stack"])]
    assert any(name.startswith("abort") for name in functions), functions
    assert any("terminate" in name for name in functions), functions
    assert "native_demo::Thrower::fail(int)" in functions, functions
    assert "native_demo::call_without_escape(int)" in functions, functions


def test_a_stripped_extension_gives_object_and_offset(project, extensions):
    _suite(project, extensions, "crashext.crash()", which="stripped")
    project.run("test_native.py", "-p", "no:xdist")
    crash = only_crash(project.show())
    frames = crash["native_stack"]
    # crash_in_native is exported (the dynamic symbol table survives stripping); the two static
    # helpers are not: object and offset only, and no line for any of them.
    assert frames[0]["function"] == "crash_in_native" and frames[0]["file"] is None
    helper = frames[1]
    assert Path(helper["object"]).parent == extensions["stripped"]
    assert helper["function"] is None and helper["file"] is None and helper["line"] is None
    assert int(helper["offset"], 16) > 0
    # addr2line on the unstripped build, at that offset (a return address: the call is just
    # before it), names the helper.
    plain = extensions["plain"] / Path(helper["object"]).name
    named = subprocess.run(
        ["addr2line", "-f", "-e", str(plain), hex(int(helper["offset"], 16) - 1)],
        capture_output=True,
        text=True,
    )
    assert named.stdout.splitlines()[0] == "second_helper", named.stdout
    assert f"{Path(helper['object']).name}+{helper['offset']}" in _show_text(project)


def test_a_hang_shows_every_threads_native_stack(project, extensions):
    _suite(project, extensions, "crashext.deadlock()")
    result = project.run("test_native.py", "-p", "no:xdist", options=["--hang-timeout", "2"])
    assert result.returncode == 128 + signal.SIGKILL
    crash = only_crash(project.show())
    assert crash["cause"] == "hang"
    assert "test_native" in crash["traceback"]
    threads = crash["native_threads"]
    assert len(threads) >= 3, json.dumps(threads, indent=1)
    by_function = {}
    for thread in threads:
        for frame in thread["frames"]:
            by_function.setdefault(frame["function"], []).append(thread["tid"])
    # Both deadlocked threads, each inside its locking function, and the joiner.
    assert by_function.get("lock_first_then_second") and by_function.get("lock_second_then_first")
    assert by_function["lock_first_then_second"] != by_function["lock_second_then_first"]
    assert any("join" in (name or "") for name in by_function), sorted(map(str, by_function))
    text = _show_text(project)
    assert "lock_first_then_second" in text and "lock_second_then_first" in text


def test_plugin_mode_records_the_native_stack_without_a_supervisor(project, extensions):
    _suite(project, extensions, "crashext.crash()")
    plugin = project.blackbox_bin.parent.parent / "share" / "blackbox" / "python"
    env = project.env({"PYTHONPATH": str(plugin), "PYTEST_PLUGINS": "pytest_blackbox.plugin"})
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-p",
            "no:rerunfailures",  # it implements xdist's hooks: see Project.pytest_command
            "--blackbox",
            "test_native.py",
        ],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGSEGV, done.stdout + done.stderr
    # The terminal shows what bare pytest shows (faulthandler's stacks), and where to look.
    assert "Fatal Python error: Segmentation fault" in done.stderr, done.stderr
    assert 'test_native.py", line 11 in test_native' in done.stderr
    assert f"blackbox show {project.latest}" in done.stderr
    crash = only_crash(project.show())
    assert _functions(crash["native_stack"])[:3] == [
        "crash_in_native",
        "second_helper",
        "first_helper",
    ]


def test_the_native_stack_needs_no_ptrace(project, extensions, tmp_path):
    """Where Yama (ptrace_scope 1-3) or a sandbox forbids tracing, the stack is still recorded:
    the whole run, supervisor included, runs with ptrace(2) and process_vm_readv(2) refused."""
    sandbox = tmp_path / "no_ptrace"
    _build(["gcc", "-O1", "-o", str(sandbox), str(SOURCES / "no_ptrace.c")], "no_ptrace")
    probe = subprocess.run(
        [
            str(sandbox),
            sys.executable,
            "-c",
            "import ctypes, os; libc = ctypes.CDLL(None, use_errno=True); "
            "print(libc.ptrace(16, os.getppid(), 0, 0), ctypes.get_errno())",
        ],
        capture_output=True,
        text=True,
    )
    assert probe.stdout.split() == ["-1", "1"], probe  # PTRACE_ATTACH: EPERM
    _suite(project, extensions, "crashext.crash()")
    argv = [
        str(sandbox),
        str(project.blackbox_bin),
        "run",
        "--",
        *project.pytest_command("-p", "no:xdist", "test_native.py"),
    ]
    subprocess.run(argv, cwd=project.root, env=project.env(), capture_output=True, timeout=180)
    crash = only_crash(project.show())
    assert _functions(crash["native_stack"])[:3] == [
        "crash_in_native",
        "second_helper",
        "first_helper",
    ]
