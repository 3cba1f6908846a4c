"""pytest-monitor's options, ini keys and markers, as the journal and the collected items say."""

from pathlib import Path
from typing import Dict

import pytest
from recording import collected, journal, journals

PLUGIN = ("-p", "pytest_blackbox.plugin")

MARKED = """
    import pytest

    pytestmark = [pytest.mark.monitor_skip_test]

    def test_module_says_skip():
        pass

    @pytest.mark.monitor_test
    def test_brought_back():
        pass

    @pytest.mark.monitor_test_if(True)
    def test_brought_back_if_true():
        pass

    @pytest.mark.monitor_test_if(False)
    def test_not_brought_back_if_false():
        pass

    @pytest.mark.monitor_test
    class TestBroughtBack:
        def test_in_class(self):
            pass

        @pytest.mark.monitor_skip_test
        def test_skipped_again(self):
            pass
    """


def monitor_of(run_dir: Path, role: str = "main") -> dict:
    (record,) = [r for r in journal(run_dir, role) if r["ev"] == "session_start"]
    return record["monitor"]


def items_by_name(run_dir: Path) -> Dict[str, dict]:
    """Last node id part → collected item."""
    return {item["nodeid"].rsplit("::", 1)[-1]: item for item in collected(run_dir)}


def test_session_start_carries_the_defaults(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile("def test_a():\n    pass\n")
    pytester.inline_run(*PLUGIN).assertoutcome(passed=1)
    assert monitor_of(run_dir) == {
        "enabled": True,
        "scopes": ["function"],
        "explicit_params": False,
        "component_prefix": None,
        "force_component": None,
        "description": None,
        "tags": {},
    }


def test_every_option_reaches_session_start(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile("def test_a():\n    pass\n")
    result = pytester.inline_run(
        *PLUGIN,
        "--blackbox-no-monitor",
        "--blackbox-restrict-scope-to",
        "session, Module,function",
        "--blackbox-parametrization-explicit",
        "--blackbox-component-prefix",
        "PRE",
        "--blackbox-force-component",
        "FORCED",
        "--blackbox-description",
        "nightly run",
        "--blackbox-tag",
        "numpy=1.17",
        "--blackbox-tag",
        "expr=a=b",
    )
    result.assertoutcome(passed=1)
    assert monitor_of(run_dir) == {
        "enabled": False,
        "scopes": ["function", "module", "session"],
        "explicit_params": True,
        "component_prefix": "PRE",
        "force_component": "FORCED",
        "description": "nightly run",
        "tags": {"numpy": "1.17", "expr": "a=b"},
    }


def test_ini_keys_are_the_options_defaults(pytester: pytest.Pytester, run_dir: Path):
    pytester.makeini(
        """
        [pytest]
        blackbox_monitor = false
        blackbox_restrict_scope_to = class
        blackbox_parametrization_explicit = true
        blackbox_component_prefix = PRE
        blackbox_description = from the ini
        blackbox_tags =
            a=1
            b=2
        """
    )
    pytester.makepyfile("def test_a():\n    pass\n")
    pytester.inline_run(*PLUGIN, "--blackbox-tag", "b=3").assertoutcome(passed=1)
    monitor = monitor_of(run_dir)
    assert monitor["enabled"] is False and monitor["scopes"] == ["class"]
    assert monitor["explicit_params"] is True and monitor["component_prefix"] == "PRE"
    assert monitor["description"] == "from the ini"
    assert monitor["tags"] == {"a": "1", "b": "3"}  # the option wins over the ini


@pytest.mark.parametrize(
    "args, message",
    [
        (("--blackbox-tag", "no-equals-sign"), "KEY=VALUE"),
        (("--blackbox-tag", "=value"), "KEY=VALUE"),
        (("--blackbox-restrict-scope-to", "function,package"), "unknown scope package"),
    ],
)
def test_bad_values_are_usage_errors(
    pytester: pytest.Pytester, run_dir: Path, args: tuple, message: str
):
    pytester.makepyfile("def test_a():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_a_bad_ini_tag_is_a_usage_error(pytester: pytest.Pytester, run_dir: Path):
    pytester.makeini("[pytest]\nblackbox_tags = broken\n")
    pytester.makepyfile("def test_a():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "KEY=VALUE" in result.stderr.str()


def test_workers_carry_the_same_monitor_settings(pytester: pytest.Pytester, run_dir: Path):
    pytest.importorskip("xdist")
    pytester.makepyfile("def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    args = ("--blackbox-component-prefix", "PRE", "--blackbox-tag", "k=v")
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", *args)
    result.assert_outcomes(passed=2)
    recorded = journals(run_dir)
    assert sorted(recorded) == ["gw0", "gw1", "main"]
    monitors = [monitor_of(run_dir, role) for role in recorded]
    assert all(m == monitors[0] for m in monitors)
    assert monitors[0]["component_prefix"] == "PRE" and monitors[0]["tags"] == {"k": "v"}
    for worker in ("gw0", "gw1"):
        for item in collected(run_dir, worker):
            assert item["component"] == "PRE"


COMPONENT_MODULES = {
    "test_named": "pytest_monitor_component = 'component_A'\n\ndef test_named():\n    pass\n",
    "test_unnamed": "def test_unnamed():\n    pass\n",
}


@pytest.mark.parametrize(
    "args, named, unnamed",
    [
        ((), "component_A", ""),
        (("--blackbox-component-prefix", "PROJECT_A"), "PROJECT_A.component_A", "PROJECT_A"),
        (("--blackbox-force-component", "PROJECT_A"), "PROJECT_A", "PROJECT_A"),
        (
            ("--blackbox-force-component", "F", "--blackbox-component-prefix", "P"),
            "F",
            "F",
        ),
    ],
)
def test_components_resolve_as_pytest_monitor_did(
    pytester: pytest.Pytester, run_dir: Path, args: tuple, named: str, unnamed: str
):
    pytester.makepyfile(**COMPONENT_MODULES)
    pytester.inline_run(*PLUGIN, *args).assertoutcome(passed=2)
    items = items_by_name(run_dir)
    assert items["test_named"]["component"] == named
    assert items["test_unnamed"]["component"] == unnamed


def test_markers_decide_which_tests_are_monitored(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(test_marked=MARKED)
    pytester.inline_run(*PLUGIN, "--strict-markers").assertoutcome(passed=6)
    monitored = {name: item.get("monitored", True) for name, item in items_by_name(run_dir).items()}
    assert monitored == {
        "test_module_says_skip": False,
        "test_brought_back": True,
        "test_brought_back_if_true": True,
        "test_not_brought_back_if_false": False,
        "test_in_class": True,
        "test_skipped_again": False,
    }
    # Only `false` is ever written.
    assert all(item.get("monitored", False) is False for item in collected(run_dir))


def test_skip_test_if_skips_only_when_its_condition_holds(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_cond="""
        import pytest

        def test_plain():
            pass

        @pytest.mark.monitor_skip_test
        def test_skipped():
            pass

        @pytest.mark.monitor_skip_test_if(True)
        def test_skipped_if_true():
            pass

        @pytest.mark.monitor_skip_test_if(False)
        def test_kept_if_false():
            pass

        @pytest.mark.parametrize("n", [1, pytest.param(2, marks=pytest.mark.monitor_skip_test)])
        def test_param(n):
            pass
        """
    )
    pytester.inline_run(*PLUGIN, "--strict-markers").assertoutcome(passed=6)
    monitored = {name: item.get("monitored", True) for name, item in items_by_name(run_dir).items()}
    assert monitored == {
        "test_plain": True,
        "test_skipped": False,
        "test_skipped_if_true": False,
        "test_kept_if_false": True,
        "test_param[1]": True,
        "test_param[2]": False,
    }


def test_the_markers_are_declared_once(pytester: pytest.Pytester, clean_env):
    result = pytester.runpytest_subprocess(*PLUGIN, "--markers")
    lines = result.stdout.lines
    for name in ("monitor_skip_test", "monitor_skip_test_if", "monitor_test", "monitor_test_if"):
        declared = [
            line
            for line in lines
            if line.startswith((f"@pytest.mark.{name}:", f"@pytest.mark.{name}("))
        ]
        assert len(declared) == 1, declared


def test_the_markers_are_not_declared_again_after_pytest_monitor(
    pytester: pytest.Pytester, clean_env
):
    pytester.makeconftest(
        """
        def pytest_configure(config):
            config.addinivalue_line("markers", "monitor_skip_test: pytest-monitor's own line")
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "--markers")
    declared = [line for line in result.stdout.lines if "monitor_skip_test:" in line]
    assert declared == ["@pytest.mark.monitor_skip_test: pytest-monitor's own line"]


def test_variants_name_parameters_explicitly_on_request(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_p="""
        import pytest

        @pytest.mark.parametrize(("asint", "asstr"), [(10, "10"), (100, "100")])
        def test_p(asint, asstr):
            assert asint == int(asstr)

        def test_plain():
            pass
        """
    )
    pytester.inline_run(*PLUGIN).assertoutcome(passed=3)
    assert [i["variant"] for i in collected(run_dir)] == [
        "test_p[10-10]",
        "test_p[100-100]",
        "test_plain",
    ]


def test_explicit_variants(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_p="""
        import pytest

        @pytest.mark.parametrize(("asint", "asstr"), [(10, "10"), (100, "100")])
        def test_p(asint, asstr):
            assert asint == int(asstr)

        def test_plain():
            pass
        """
    )
    pytester.inline_run(*PLUGIN, "--blackbox-parametrization-explicit").assertoutcome(passed=3)
    items = collected(run_dir)
    assert [i["variant"] for i in items] == [
        "test_p[asint_10-asstr_10]",
        "test_p[asint_100-asstr_100]",
        "test_plain",
    ]
    # Node ids are pytest's own, whatever the variant.
    assert items[0]["nodeid"] == "test_p.py::test_p[10-10]"


def test_item_types(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_kinds='''
        import unittest

        def double(n):
            """
            >>> double(2)
            4
            """
            return 2 * n

        def test_function():
            pass

        class TestCase(unittest.TestCase):
            def test_method(self):
                pass
        '''
    )
    pytester.inline_run(*PLUGIN, "--doctest-modules").assertoutcome(passed=3)
    types = {item["variant"]: item["type"] for item in collected(run_dir)}
    assert types == {
        "test_kinds.double": "doctest",
        "test_function": "function",
        "test_method": "unittest",
    }
