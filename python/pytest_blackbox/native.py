"""This process's native stacks: `native/<stem>.txt` (docs/formats/native-stacks.md).

When a C extension crashes, Python's stack ends at the call into it. The project's small shared
object, libblackbox_native.so, installs signal handlers on top of faulthandler's that write the
crashing thread's native stack (program counters and the memory map, named after death by
`blackbox`), and every thread's on a real-time signal, the process going on. This module finds
and loads it with ctypes; no other code of the plugin needs it.

Recording never depends on it: when the library is missing or cannot load, the journal's `start`
record says why (`native_off`), and nothing else is said or changed.
"""

import ctypes
import errno
import os
import shutil
import signal
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from . import run_files

LIBRARY_ENV = "BLACKBOX_NATIVE_LIB"
"""The library's path; set by the supervisor to the one beside its binary."""

LIBRARY_NAME = "libblackbox_native.so"
FOLDER = "native"

SIGNAL_TRIES = 8
"""Real-time signals tried for the dump, from SIGRTMAX-2 down, while something else has one."""

_library: Optional[ctypes.CDLL] = None  # loaded once per process
_signal: Optional[int] = None  # the dump signal, chosen once per process
_installed: Optional["NativeFile"] = None  # the file the library writes into now


def find_library() -> Optional[str]:
    """The library's path: $BLACKBOX_NATIVE_LIB when set (and then only it), else the one in
    this package's folder (where an installed wheel puts it), else `<prefix>/lib/blackbox/` when
    this package is `<prefix>/share/blackbox/python/` (as `cmake --install` and the build tree
    lay it out), else the one beside a `blackbox` executable on PATH (`<bin>/../lib/blackbox/`).
    None when there is none."""
    named = os.environ.get(LIBRARY_ENV)
    if named:
        return named if os.path.isfile(named) else None
    package = Path(__file__).parent
    candidates = [package / LIBRARY_NAME]
    if package.parent.parent.parent.name == "share":
        # Installed (or built) as <prefix>/share/blackbox/python/: <prefix>/lib/blackbox/.
        candidates.append(package.parents[3] / "lib" / "blackbox" / LIBRARY_NAME)
    executable = shutil.which("blackbox")
    if executable:
        for binary in (Path(executable), Path(executable).resolve()):
            candidates.append(binary.parent.parent / "lib" / "blackbox" / LIBRARY_NAME)
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    return None


class NativeFile:
    """The descriptor the library writes into, open for as long as it may write."""

    __slots__ = ("fd", "signum", "retired")

    def __init__(self, fd: int, signum: int) -> None:
        self.fd = fd
        self.signum = signum
        self.retired = False

    def enable(self) -> bool:
        """Put the handlers on top again, writing here: after faulthandler was disabled and
        enabled again (pytest's unconfigure), faulthandler's would otherwise be the only ones."""
        if _library is None or _library.blackbox_native_install(self.fd, self.signum) != 0:
            return False
        _written_by_library(self)
        return True

    def close(self) -> None:
        """Close the descriptor once the library no longer writes into it (another recording of
        this process took over); the one it writes into stays open until the process ends."""
        self.retired = True
        if _installed is not self:
            self._close_now()

    def _close_now(self) -> None:
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1


def start(run_dir: Path, stem: str) -> Tuple[Optional[NativeFile], Dict[str, Union[int, str]]]:
    """Load the library and install its handlers, writing into `native/<stem>.txt`.

    Call it once faulthandler is enabled: the handlers go on top of its own and chain to them.
    Returns the file and the `start` record's fact, `native_signal` (the dump signal) or
    `native_off` (why not); never raises.
    """
    try:
        return _start(run_dir, stem)
    except Exception as error:  # the user's run never pays for it
        return None, {"native_off": f"internal error: {type(error).__name__}: {error}"}


def _start(run_dir: Path, stem: str) -> Tuple[Optional[NativeFile], Dict[str, Union[int, str]]]:
    global _library, _signal
    if _library is None:
        path = find_library()
        if path is None:
            return None, {"native_off": "library not found"}
        try:
            library = ctypes.CDLL(path)
            library.blackbox_native_install.argtypes = (ctypes.c_int, ctypes.c_int)
            library.blackbox_native_install.restype = ctypes.c_int
        except (OSError, AttributeError) as error:
            return None, {"native_off": f"failed to load: {error}"}
        _library = library
    try:
        fd = run_files.create(run_dir, FOLDER, f"{stem}.txt")
    except OSError as error:
        return None, {"native_off": f"{FOLDER}/{stem}.txt: {error.strerror or error}"}
    result = -errno.EBUSY
    for signum in [_signal] if _signal is not None else _dump_signals():
        result = _library.blackbox_native_install(fd, signum)
        if result != -errno.EBUSY:
            break
    if result != 0:
        os.close(fd)
        return None, {"native_off": f"install failed: {os.strerror(-result)}"}
    _signal = signum
    native = NativeFile(fd, signum)
    _written_by_library(native)
    return native, {"native_signal": signum}


def echo_to_terminal(source_fd: int, note: str) -> bool:
    """Without a supervisor: at a fatal signal, show what faulthandler wrote into `source_fd`
    (its file in the run directory) on this process's stderr too, as bare pytest shows it, and
    then `note`. stderr is duplicated now, while pytest does not capture it (configure time);
    both descriptors stay open until the process ends. False when the library is not loaded or
    refuses."""
    if _library is None:
        return False
    try:
        # faulthandler's descriptor is write-only: the same file again, for reading.
        source = os.open(f"/proc/self/fd/{source_fd}", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        terminal = os.dup(2)
    except OSError:
        os.close(source)
        return False
    echo = _library.blackbox_native_echo
    echo.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_char_p)
    echo.restype = ctypes.c_int
    if echo(source, terminal, note.encode("utf-8", "surrogateescape")[:1024]) != 0:
        os.close(terminal)
        os.close(source)
        return False
    return True


def _written_by_library(native: NativeFile) -> None:
    """`native` is the file the library writes into now: the one before it is closed when its
    recording is over."""
    global _installed
    previous, _installed = _installed, native
    if previous is not None and previous is not native and previous.retired:
        previous._close_now()


def _dump_signals() -> List[int]:
    """The real-time signals tried for the dump, the first free one taken."""
    highest = int(getattr(signal, "SIGRTMAX", 64))
    return [highest - 2 - offset for offset in range(SIGNAL_TRIES)]
