"""pytest-monitor's controls, under names of our own (docs/metrics.md).

The options and ini keys that choose what the metrics database stores (scopes, components, the
run's description and tags, explicit parameter names, monitoring off), the four markers that
exclude tests from it or bring them back, and the settings they resolve to: the `monitor`
object of `session_start`, each module's component, each item's monitoring decision. The plugin
only records these facts; the database rows are derived from the journals.
"""

import argparse
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence

import pytest

SCOPES = ("function", "module", "class", "session")
"""pytest-monitor's scopes, in the order `session_start` lists them."""

COMPONENT_VARIABLE = "pytest_monitor_component"
"""The module-level variable naming a test module's component, as pytest-monitor reads it."""

MARKERS = {
    "monitor_skip_test": "monitor_skip_test: run the test, but keep it out of the metrics "
    "database (pytest-monitor's marker)",
    "monitor_skip_test_if": "monitor_skip_test_if(condition): keep the test out of the metrics "
    "database when condition is true (pytest-monitor's marker)",
    "monitor_test": "monitor_test: store the test's metrics even under a module-level "
    "monitor_skip_test (pytest-monitor's marker)",
    "monitor_test_if": "monitor_test_if(condition): store the test's metrics if and only if "
    "condition is true, whatever the module says (pytest-monitor's marker)",
}

NO_MONITOR_HELP = "store no metrics of this run in the database (pytest-monitor's --no-monitor)"
SCOPE_HELP = (
    "comma-separated scopes whose metrics are stored: function (default), module, class, "
    "session (pytest-monitor's --restrict-scope-to)"
)
EXPLICIT_HELP = (
    "name parametrized variants with their parameter names, test_p[asint_10-asstr_10] "
    "(pytest-monitor's --parametrization-explicit)"
)
FORCE_COMPONENT_HELP = (
    "component of every test, whatever its module's pytest_monitor_component says "
    "(pytest-monitor's --force-component)"
)
PREFIX_HELP = (
    "prefix of every component: PREFIX.<pytest_monitor_component>, or PREFIX alone "
    "(pytest-monitor's --component-prefix)"
)
DESCRIPTION_HELP = "a description of this run (pytest-monitor's --description)"
TAG_HELP = "a KEY=VALUE tag of this run; repeatable (pytest-monitor's --tag)"


class Monitor(NamedTuple):
    """What the metrics database should make of this run (the `monitor` of `session_start`)."""

    enabled: bool
    scopes: List[str]
    explicit_params: bool
    component_prefix: Optional[str]
    force_component: Optional[str]
    description: Optional[str]
    tags: Dict[str, str]

    def fields(self) -> dict:
        """The `monitor` object of `session_start`."""
        return self._asdict()

    def component(self, module: object) -> str:
        """The component of the tests of `module` (None: no module), resolved as pytest-monitor
        did: forced, else prefix.variable, else the variable, else the prefix, else ""."""
        if self.force_component is not None:
            return self.force_component
        variable = getattr(module, COMPONENT_VARIABLE, None) if module is not None else None
        variable = None if variable is None else str(variable)
        if self.component_prefix is not None:
            return f"{self.component_prefix}.{variable}" if variable else self.component_prefix
        return variable or ""


def add_options(group, parser: pytest.Parser) -> None:
    """pytest-monitor's options, prefixed so they never collide with its own, and ini keys."""
    group.addoption(
        "--blackbox-no-monitor", action="store_true", default=None, help=NO_MONITOR_HELP
    )
    group.addoption(
        "--blackbox-restrict-scope-to", metavar="SCOPES", type=_scopes_argument, help=SCOPE_HELP
    )
    group.addoption(
        "--blackbox-parametrization-explicit", action="store_true", default=None, help=EXPLICIT_HELP
    )
    group.addoption("--blackbox-force-component", metavar="NAME", help=FORCE_COMPONENT_HELP)
    group.addoption("--blackbox-component-prefix", metavar="NAME", help=PREFIX_HELP)
    group.addoption("--blackbox-description", metavar="TEXT", help=DESCRIPTION_HELP)
    group.addoption(
        "--blackbox-tag", metavar="KEY=VALUE", action="append", type=_tag_argument, help=TAG_HELP
    )
    parser.addini(
        "blackbox_monitor", "store this project's metrics (default true)", type="bool", default=True
    )
    parser.addini("blackbox_restrict_scope_to", SCOPE_HELP)
    parser.addini("blackbox_parametrization_explicit", EXPLICIT_HELP, type="bool", default=False)
    parser.addini("blackbox_force_component", FORCE_COMPONENT_HELP)
    parser.addini("blackbox_component_prefix", PREFIX_HELP)
    parser.addini("blackbox_description", DESCRIPTION_HELP)
    parser.addini("blackbox_tags", "KEY=VALUE tags of every run, one a line", type="linelist")


def register_markers(config: pytest.Config) -> None:
    """Declare the four markers (for --strict-markers), unless pytest-monitor did."""
    declared = {line.split(":", 1)[0].split("(", 1)[0].strip() for line in config.getini("markers")}
    for name, line in MARKERS.items():
        if name not in declared:
            config.addinivalue_line("markers", line)


def settings(config: pytest.Config) -> Monitor:
    """The settings of this run: options win over ini keys. Raises pytest.UsageError."""
    if config.getoption("blackbox_no_monitor"):
        enabled = False
    else:
        enabled = bool(config.getini("blackbox_monitor"))
    scopes_text = config.getoption("blackbox_restrict_scope_to")
    if scopes_text is None:
        scopes_text = config.getini("blackbox_restrict_scope_to") or "function"
    explicit = config.getoption("blackbox_parametrization_explicit")
    if explicit is None:
        explicit = bool(config.getini("blackbox_parametrization_explicit"))
    tags: Dict[str, str] = {}
    try:
        scopes = parse_scopes(scopes_text)
        for text in config.getini("blackbox_tags"):
            tags.update([parse_tag(text)])
    except ValueError as error:
        raise pytest.UsageError(f"pytest-blackbox: {error} (in the ini file)") from None
    tags.update(config.getoption("blackbox_tag") or ())
    return Monitor(
        enabled=enabled,
        scopes=scopes,
        explicit_params=bool(explicit),
        component_prefix=_setting(config, "blackbox_component_prefix"),
        force_component=_setting(config, "blackbox_force_component"),
        description=_setting(config, "blackbox_description"),
        tags=tags,
    )


def parse_scopes(text: str) -> List[str]:
    """`function,module` → the scopes in SCOPES order; raises ValueError on an unknown one."""
    wanted = {word.strip().lower() for word in text.split(",") if word.strip()}
    unknown = sorted(wanted.difference(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope {', '.join(unknown)}: choose among {', '.join(SCOPES)}")
    return [scope for scope in SCOPES if scope in wanted] or ["function"]


def parse_tag(text: str) -> tuple:
    """`KEY=VALUE` → (key, value); raises ValueError without `=` or without a key."""
    key, equals, value = str(text).partition("=")
    if not equals or not key.strip():
        raise ValueError(f"a tag is KEY=VALUE, not {text!r}")
    return key.strip(), value


def monitored(marks: Iterable, default: bool) -> bool:
    """Whether pytest-monitor's markers keep a test in the database.

    `marks` are the marks of one node (closest first); the first of pytest-monitor's markers
    decides, so a test's own marker wins over its class's, which wins over its module's
    `pytestmark`. Without any, `default` (its parent's decision) stands.
    """
    for mark in marks:
        name = mark.name
        if name == "monitor_skip_test":
            return False
        if name == "monitor_test":
            return True
        if name == "monitor_skip_test_if":
            return not _condition(mark)
        if name == "monitor_test_if":
            return _condition(mark)
    return default


def variant(item: pytest.Item, explicit: bool) -> str:
    """ITEM_VARIANT: the item's name, or with `explicit` its parameters as name_value."""
    if explicit:
        params = getattr(getattr(item, "callspec", None), "params", None)
        if params:
            name = getattr(item, "originalname", None) or item.name
            return f"{name}[{'-'.join(f'{key}_{value}' for key, value in params.items())}]"
    return item.name


def _condition(mark) -> bool:
    """The condition of a `*_if` marker: its first argument (true when missing)."""
    if mark.args:
        return bool(mark.args[0])
    return bool(mark.kwargs.get("condition", True))


def _setting(config: pytest.Config, name: str) -> Optional[str]:
    value = config.getoption(name)
    if value is None:
        value = config.getini(name) or None
    return None if value is None else str(value)


def _scopes_argument(text: str) -> str:
    try:
        parse_scopes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _tag_argument(text: str) -> Sequence[str]:
    try:
        return parse_tag(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
