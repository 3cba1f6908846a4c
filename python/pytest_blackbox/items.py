"""What the collected-items file says about each item (docs/formats/journal.md)."""

import json
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

import pytest

from .bounded import bounded_repr
from .monitor import Monitor, monitored, variant
from .names import name_field, text_form

_dumps = json.JSONEncoder(separators=(",", ":")).encode
_ascii_string = json.encoder.encode_basestring_ascii  # _dumps of a string, without its dispatch


def undecorated_ids(items: Iterable[pytest.Item], loadgroup: bool) -> Dict[str, str]:
    """Map the node ids pytest-xdist decorated with `@<group>` back to pytest's own.

    Under `--dist loadgroup` xdist's workers append the xdist_group name to the node id of
    every item in a group; the journal records pytest's node ids byte for byte instead.
    """
    if not loadgroup:
        return {}
    undecorated = {}
    for item in items:
        mark = item.get_closest_marker("xdist_group")
        if mark is None:
            continue
        group = mark.args[0] if mark.args else mark.kwargs.get("name", "default")
        suffix = f"@{group}"
        if item.nodeid.endswith(suffix):
            undecorated[item.nodeid] = item.nodeid[: -len(suffix)]
    return undecorated


def undecorated_group_id(nodeid: str) -> str:
    """pytest's node id for a node id the xdist controller knows under `--dist loadgroup`.

    The controller only has the decorated id. A `@` followed by neither `]` nor `::` cannot
    belong to a node id (function and class names have no `@`; parameters end with `]`; a
    path `@` is followed by `::`), so it starts the group suffix.
    """
    head, at, group = nodeid.rpartition("@")
    if at and group and "]" not in group and "::" not in group:
        return head
    return nodeid


CHUNK_ITEMS = 500
"""Items per chunk of collected lines: the file is written a chunk at a time, so that the lines
of a large suite are never all in memory at once (they would add to pytest's peak RSS)."""


def collected_lines(
    items: Iterable[pytest.Item], undecorated: Dict[str, str], monitor: Monitor
) -> str:
    """One JSON line per item, in collection order."""
    return "".join(collected_chunks(items, undecorated, monitor))


def collected_chunks(
    items: Iterable[pytest.Item], undecorated: Dict[str, str], monitor: Monitor
) -> Iterator[str]:
    """collected_lines, CHUNK_ITEMS items at a time.

    This runs once per item of the suite, so the lines are f-strings over JSON-encoded
    strings, and what items share with their siblings (module, class, component, the markers
    of their parents and what pytest-monitor's markers among them decide) is computed once per
    parent.
    """
    shared: Dict[int, tuple] = {}  # id(parent) -> (fields, markers, monitored)
    kinds: Dict[type, str] = {}  # item class -> its encoded `type`
    explicit = monitor.explicit_params
    lines = []
    for item in items:
        parent = item.parent
        scope = shared.get(id(parent))
        if scope is None:
            scope = shared[id(parent)] = _shared_by_siblings(item, monitor)
        nodeid = undecorated.get(item.nodeid, item.nodeid)
        path, line = _location(item, nodeid)
        params = _params(item)
        # pytest's own order (Node.iter_markers): the item's marks, then its parents'.
        own = item.own_markers
        markers = scope[1]
        excluded = scope[2]
        if own:
            markers = list(dict.fromkeys([text_form(mark.name) for mark in own] + markers))
            # The item's own pytest-monitor marker wins; without one, its parents' decision.
            excluded = "" if monitored(own, not scope[2]) else ',"monitored":false'
        kind = kinds.get(type(item))
        if kind is None:
            kind = kinds[type(item)] = _dumps(_kind(type(item)))
        name = text_form(item.name)
        func = text_form(getattr(item, "originalname", None) or name)
        func_json = _ascii_string(func)
        named = text_form(variant(item, True)) if explicit and params else name
        variant_json = func_json if named == func else _ascii_string(named)
        lines.append(
            f'{{{name_field("nodeid", nodeid)},{name_field("file", path)},"line":{_json(line)},'
            f"{scope[0]},"
            f'"func":{func_json},"params":{_json(params)},"markers":{_json(markers)},'
            f'"type":{kind},"variant":{variant_json}{excluded}}}\n'
        )
        if len(lines) >= CHUNK_ITEMS:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _json(value: object) -> str:
    """JSON for the values of an item line; the encoder's slow path only for lists and dicts
    that are not empty."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return _ascii_string(value)
    if not value and kind is list:
        return "[]"
    return _dumps(value)


def _location(item: pytest.Item, nodeid: str) -> Tuple[str, Optional[int]]:
    """File relative to the rootdir and 1-based line where the item is defined."""
    try:
        path, line, _ = item.location
    except Exception:  # a plugin's reportinfo() may fail; the item still runs
        return nodeid.split("::", 1)[0], None
    return str(path), line + 1 if isinstance(line, int) else None


def _shared_by_siblings(item: pytest.Item, monitor: Monitor) -> Tuple[str, List[str], str]:
    """The encoded `"module":…,"cls":…,"component":…` of an item, its parents' marker names,
    and `,"monitored":false` when their pytest-monitor markers exclude it ("" otherwise)."""
    module = item.getparent(pytest.Module)
    try:
        module_obj = None if module is None else module.obj  # imported already
        module_name = None if module_obj is None else module_obj.__name__
    except Exception:
        module_obj = module_name = None
    chain = item.listchain()[:-1]
    classes = [node.name for node in chain if isinstance(node, pytest.Class)]
    marks = [mark for node in reversed(chain) for mark in node.own_markers]
    cls = text_form(".".join(classes)) or None
    module_name = None if module_name is None else text_form(module_name)
    fields = (
        f'"module":{_json(module_name)},"cls":{_json(cls)},'
        f'"component":{_dumps(text_form(monitor.component(module_obj)))}'
    )
    excluded = "" if monitored(marks, True) else ',"monitored":false'
    return fields, list(dict.fromkeys(text_form(mark.name) for mark in marks)), excluded


def _kind(cls: type) -> str:
    """The item's `type`: function, unittest, doctest, or its class name in lower case."""
    names = {base.__name__ for base in cls.__mro__}
    if "TestCaseFunction" in names:
        return "unittest"
    if "DoctestItem" in names:
        return "doctest"
    if issubclass(cls, pytest.Function):
        return "function"
    return cls.__name__.lower()


def _params(item: pytest.Item) -> Optional[Dict[str, str]]:
    callspec = getattr(item, "callspec", None)
    params = getattr(callspec, "params", None)
    if not params:
        return None
    return {str(name): bounded_repr(value) for name, value in params.items()}
