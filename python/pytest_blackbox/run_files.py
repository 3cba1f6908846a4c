"""Files of the run directory, made without ever following a symbolic link.

A run directory is not trusted (docs/formats/run-directory.md): a link planted there
(`journal -> /etc`, `journal/<stem>.jsonl -> /etc/passwd`) must make recording fail with a
clear warning, never lead a write elsewhere. Each folder is opened with O_DIRECTORY|O_NOFOLLOW
relative to the run directory, and each file relative to its folder with O_NOFOLLOW|O_NONBLOCK
(a FIFO planted there is not waited on), kept only when it is a regular file with a single link.
Files are appended to, not created exclusively: a process that runs pytest twice (pytester)
records both sessions into its one journal.

The recording main process also holds a shared lock on the run directory for as long as it
lives (the kernel drops it when the process dies): `blackbox run` never prunes a run that is
held.
"""

import errno
import os
import stat
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_APPEND_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_NOFOLLOW
    | os.O_NONBLOCK
    | os.O_APPEND
    | getattr(os, "O_CLOEXEC", 0)
)
_NOT_REGULAR = "is not a regular file of its own: refused"


def create(run_dir: Path, folder: str, name: str, append: bool = True) -> int:
    """Open (create) `<run_dir>/<folder>/<name>` for appending (or, without `append`, for
    writing in place with pwrite); raises OSError.

    The folder is made when missing; a folder or a file that is a symbolic link, or anything
    but a regular file with one link in place of the file, is refused.
    """
    run_fd = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        folder_fd = _open_folder(run_fd, folder)
        try:
            try:
                flags = _APPEND_FLAGS if append else _APPEND_FLAGS & ~os.O_APPEND
                fd = os.open(name, flags, 0o644, dir_fd=folder_fd)
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise OSError(error.errno, f"{folder}/{name} is a symbolic link: refused")
                if error.errno == errno.ENXIO:  # a FIFO without a reader (not waited on)
                    raise OSError(error.errno, f"{folder}/{name} {_NOT_REGULAR}")
                raise
        finally:
            os.close(folder_fd)
    finally:
        os.close(run_fd)
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
        os.close(fd)
        raise OSError(errno.EINVAL, f"{folder}/{name} {_NOT_REGULAR}")
    os.set_blocking(fd, True)
    return fd


def hold(run_dir: Path) -> int:
    """Take the recording's shared lock on the run directory; the descriptor to keep open.

    -1 when the lock cannot be had (the run is recorded all the same).
    """
    import fcntl

    try:
        fd = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return -1
    return fd


def _open_folder(run_fd: int, folder: str) -> int:
    try:
        os.mkdir(folder, 0o755, dir_fd=run_fd)
    except FileExistsError:
        pass
    try:
        return os.open(folder, _DIR_FLAGS, dir_fd=run_fd)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise OSError(
                error.errno, f"{folder}/ is a symbolic link or not a directory: refused"
            ) from None
        raise
