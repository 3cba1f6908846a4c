"""pytest-blackbox: a crash-survivable flight recorder for pytest (the in-process plugin)."""

__version__ = "0.1.0"
