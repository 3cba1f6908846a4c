"""Bounding untrusted texts (failure reports, captured output, reprs) before they are recorded.

A bounded text keeps its head and its tail, which is where tracebacks and logs carry their
meaning, and says how much of the middle it dropped.
"""

from .names import text_form

LIMIT = 64 * 1024
"""Default size bound, in UTF-8 bytes, of a recorded text (docs/formats/journal.md)."""

REPR_LIMIT = 1024
"""Size bound of a parameter's repr in the collected-items file."""


def bounded(text: str, limit: int = LIMIT) -> str:
    """Return `text` if it fits in `limit` UTF-8 bytes, else its head and tail and a marker.
    Either way the text is valid UTF-8 (names.text_form)."""
    text = text_form(text)
    if len(text) * 4 <= limit:
        return text  # no string of this length can exceed the limit, whatever its characters
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    half = limit // 2
    # "ignore" drops the one character a cut may split, so both halves stay valid UTF-8.
    head = data[:half].decode("utf-8", "ignore")
    tail = data[-half:].decode("utf-8", "ignore")
    cut = len(data) - len(head.encode("utf-8")) - len(tail.encode("utf-8"))
    return f"{head}[… {cut} bytes cut …]{tail}"


def bounded_repr(value: object, limit: int = REPR_LIMIT) -> str:
    """Return a bounded repr of `value` that never raises.

    Strings and bytes are sliced before repr() so a huge parameter costs no huge copy.
    """
    try:
        if isinstance(value, (str, bytes, bytearray)) and len(value) > limit:
            return bounded(repr(value[:limit]) + f"… ({len(value)} long)", limit)
        return bounded(repr(value), limit)
    except Exception as error:  # a user's __repr__ may raise anything
        return f"<unrepresentable {type(value).__name__}: {type(error).__name__}>"
