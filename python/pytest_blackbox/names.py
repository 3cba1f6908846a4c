"""Names that are bytes to the kernel (node ids, file names) and texts that may hold them.

Python holds a name it could not decode as text with each such byte as a lone surrogate
(U+DC80..U+DCFF, the "surrogateescape" error handler of os.fsdecode). JSON's own escape for a
lone surrogate (\\udcff) is rejected by strict readers, so the journal never carries one: a name
is written losslessly as its text form plus its bytes (name_field), and any other text as its
text form (text_form). docs/formats/journal.md, "Names", is the contract.
"""

import json
from base64 import b64encode
from typing import Optional

_dumps = json.JSONEncoder(separators=(",", ":")).encode
_ascii_string = json.encoder.encode_basestring_ascii  # _dumps of a string, without its dispatch


def name_bytes(name: str) -> bytes:
    """The bytes of a name Python holds as text: what os.fsencode gives (UTF-8, and the bytes
    it could not decode back as they were); a lone surrogate that stands for no byte is kept as
    its three-byte form."""
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass")


def text_form(text: str) -> str:
    """`text` as valid UTF-8 text: each byte of its bytes (name_bytes) that is not part of a
    UTF-8 sequence as \\xNN, as Python's "backslashreplace" decodes. ASCII and valid text come
    back as they are."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return name_bytes(text).decode("utf-8", "backslashreplace")


def valid_texts(value: object) -> object:
    """`value` with every string in it (keys too) valid UTF-8 (text_form): what a JSON document
    of texts that may hold names is written from."""
    if isinstance(value, str):
        return text_form(value)
    if isinstance(value, dict):
        return {text_form(str(k)): valid_texts(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [valid_texts(v) for v in value]
    return value


def exact_bytes(name: object) -> Optional[str]:
    """The base64 of a name's bytes when they are not UTF-8 (its `_bytes` key), else None."""
    if not isinstance(name, str) or name.isascii():
        return None
    data = name_bytes(name)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return b64encode(data).decode("ascii")
    return None


def name_field(key: str, name: str) -> str:
    """`"key":<JSON string>` for a name; when its bytes are not UTF-8, the string is their text
    form and `"key_bytes":<base64 of the bytes>` follows, which readers take instead. ASCII
    costs one check."""
    if name.isascii():
        return f'"{key}":{_ascii_string(name)}'
    data = name_bytes(name)
    try:
        return f'"{key}":{_dumps(data.decode("utf-8"))}'
    except UnicodeDecodeError:
        text = data.decode("utf-8", "backslashreplace")
        return f'"{key}":{_dumps(text)},"{key}_bytes":"{b64encode(data).decode("ascii")}"'
