"""Files the compat layer appends to: their open flags and parent directories made on demand."""

import os

APPEND_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)


def make_parent(path: str) -> bool:
    """Make the directory of `path` (and its parents); False when that fails."""
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        return True
    except OSError:
        return False
