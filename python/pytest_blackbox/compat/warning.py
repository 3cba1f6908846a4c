"""Warnings of the compat layer, written where the user sees them even while a test runs.

pytest captures fd 2 while a test runs, and a warning written there would only show if the test
failed: so while a compat session is active (the package's __init__.py), warnings go to a copy
of the stderr pytest started with. A warning never stops the test run.
"""

import os

from ..journal import warn as write_warning

PREFIX = "pytest-blackbox: "

_stderr_fd = -1
"""A copy of the stderr pytest started with (taken at configure), or -1."""


def warn(message: str) -> None:
    """Write one warning line to the stderr pytest started with, else to fd 2."""
    write_warning(message, _stderr_fd if _stderr_fd >= 0 else 2)


def hold_stderr() -> None:
    """Take the copy of stderr, unless one is held already; without one, warnings go to fd 2."""
    global _stderr_fd
    if _stderr_fd < 0:
        try:
            _stderr_fd = os.dup(2)
        except OSError:
            pass


def release_stderr() -> None:
    """Close the copy of stderr, if one is held."""
    global _stderr_fd
    if _stderr_fd >= 0:
        fd, _stderr_fd = _stderr_fd, -1
        try:
            os.close(fd)
        except OSError:
            pass


def describe(error: BaseException) -> str:
    """An error as a warning tells it: the system's message, else its type and text."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return f"{type(error).__name__}: {error}"
