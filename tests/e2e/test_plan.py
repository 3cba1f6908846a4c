"""`blackbox plan` on a store filled by real runs, and the plugin running one shard of the plan."""

import json
import sqlite3
import subprocess
import sys

import pytest

SUITE = """
    import time

    import pytest

    MiB = 1024 * 1024


    def touch(size):
        block = bytearray(size)
        for i in range(0, size, 4096):
            block[i] = 1
        return block


    @pytest.mark.parametrize("n", range(12))
    def test_light(n):
        time.sleep(0.01 * (n % 4 + 1))


    @pytest.mark.parametrize("n", range(4))
    def test_heavy(n):
        block = touch(120 * MiB)
        time.sleep(0.05)
        del block
"""


def plugin_env(project):
    """The environment of a plain pytest with the bundled plugin importable."""
    plugin_dir = project.blackbox_bin.parent.parent / "share" / "blackbox" / "python"
    return project.env({"PYTHONPATH": str(plugin_dir)})


def collect(project, *args):
    """The node ids plain pytest (with the plugin) would run, in order; and its summary line."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "pytest_blackbox.plugin"]
        + ["--collect-only", "-q", *args],
        cwd=project.root,
        env=plugin_env(project),
        capture_output=True,
        text=True,
        timeout=120,
    )
    ids = [line for line in result.stdout.splitlines() if "::" in line]
    return result, ids


@pytest.fixture
def recorded(project):
    """A project whose metrics database holds two real passed runs of the suite."""
    project.write("test_suite.py", SUITE)
    for _ in range(2):
        result = project.run()
        assert result.returncode == 0, result.stdout + result.stderr
    return project


def test_the_shards_partition_the_suite_and_pytest_runs_exactly_one(recorded):
    project = recorded
    result = project.blackbox("plan", "--shards", "3", "-o", "plan.json")
    assert result.returncode == 0, result.stderr
    plan = json.loads((project.root / "plan.json").read_text())
    assert plan["format"] == "blackbox-plan" and plan["shard_count"] == 3
    assert plan["history"]["tests_measured"] == 16
    planned = [set(shard["tests"]) for shard in plan["shards"]]

    _, suite = collect(project)
    assert len(suite) == 16
    union = set()
    for k in (1, 2, 3):
        result, ids = collect(
            project, "--blackbox-shard-plan", "plan.json", "--blackbox-shard", str(k)
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert set(ids) == planned[k - 1]
        assert f"{16 - len(ids)} deselected" in result.stdout
        assert not union & set(ids)
        union |= set(ids)
    assert union == set(suite)
    durations = [shard["duration_s"] for shard in plan["shards"]]
    assert max(durations) - min(durations) <= max(plan["figures"][t]["duration_s"] for t in suite)


def test_a_budget_sets_the_workers_and_holds_for_every_shard(recorded):
    project = recorded
    roomy = make_plan(project, "--shards", "2", "--memory-budget", "100GiB", "--workers-max", "4")
    assert [shard["workers"] for shard in roomy["shards"]] == [4, 4]
    peaks = sorted(figure["peak_bytes"] for figure in roomy["figures"].values())
    # Room for the controller and two of the heaviest tests, not for a third test.
    budget = peaks[0] + 2 * peaks[-1] + peaks[0] // 2
    tight = make_plan(
        project, "--shards", "2", "--memory-budget", str(budget), "--workers-max", "4"
    )
    for shard in tight["shards"]:
        assert shard["within_budget"]
        assert shard["expected_peak_bytes"] <= budget
        assert shard["workers"] == 2


def make_plan(project, *args):
    result = project.blackbox("plan", *args, "-o", "plan.json")
    assert result.returncode == 0, result.stderr
    return json.loads((project.root / "plan.json").read_text())


def test_tests_added_after_the_plan_are_spread_over_the_shards(recorded):
    project = recorded
    assert project.blackbox("plan", "--shards", "2", "-o", "plan.json").returncode == 0
    project.write(
        "test_new.py",
        """
        import pytest

        @pytest.mark.parametrize("n", range(6))
        def test_new(n):
            pass
        """,
    )
    seen = []
    for k in (1, 2):
        _, ids = collect(project, "--blackbox-shard-plan", "plan.json", "--blackbox-shard", str(k))
        seen.append([i for i in ids if i.startswith("test_new.py")])
    assert sorted(seen[0] + seen[1]) == sorted(f"test_new.py::test_new[{n}]" for n in range(6))
    assert abs(len(seen[0]) - len(seen[1])) <= 1


def test_a_shard_the_plan_does_not_have_is_a_usage_error(recorded):
    project = recorded
    assert project.blackbox("plan", "--shards", "2", "-o", "plan.json").returncode == 0
    result, _ = collect(project, "--blackbox-shard-plan", "plan.json", "--blackbox-shard", "3")
    assert result.returncode == 4
    assert "has 2 shards" in result.stderr


def test_heavy_tests_run_in_one_xdist_group_under_their_own_node_ids(recorded):
    pytest.importorskip("xdist")
    project = recorded
    result = project.blackbox(
        "plan", "--shards", "1", "--isolate-heavy", "60MiB", "--workers-max", "2", "-o", "plan.json"
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads((project.root / "plan.json").read_text())
    heavy = plan["shards"][0]["heavy"]
    assert sorted(heavy) == [f"test_suite.py::test_heavy[{n}]" for n in range(4)]

    result = project.run(
        "-n",
        "2",
        "--dist",
        "loadgroup",
        "-v",
        "--blackbox-shard-plan",
        "plan.json",
        "--blackbox-shard",
        "1",
        options=("--json", "report.json"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "@blackbox-heavy" in result.stdout  # xdist did group them
    # Everything blackbox records and derives speaks of pytest's own node ids.
    records = "".join(
        path.read_text()
        for folder in ("journal", "collected")
        for path in (project.latest / folder).iterdir()
    )
    assert "@blackbox-heavy" not in records
    assert "@blackbox-heavy" not in (project.latest / "postmortem.json").read_text()
    tests = json.loads((project.root / "report.json").read_text())["tests"]
    assert sorted(test["nodeid"] for test in tests) == sorted(plan["shards"][0]["tests"])
    not_passed = [t for t in tests if t["outcome"] != "passed"]
    assert not not_passed, json.dumps(not_passed, indent=1) + result.stdout[-4000:]
    with sqlite3.connect(project.root / ".blackbox" / "metrics.db") as db:
        stored = [row[0] for row in db.execute("SELECT nodeid FROM blackbox_tests")]
    assert stored and not [nodeid for nodeid in stored if "@" in nodeid]
    # One group: a single worker ran every heavy test.
    assert len({test["worker"] for test in tests if test["nodeid"] in heavy}) == 1


def test_a_shard_is_expected_to_pay_its_start_collection_and_finish(recorded):
    """The runs recorded where each shard's time went besides its tests; the plan adds it to
    each shard (it predicted a shard's tests alone: 0.53 s for shards that took 8-15 s), and
    gives each shard the CPU count of the machines that recorded the history as workers."""
    project = recorded
    with sqlite3.connect(project.root / ".blackbox" / "metrics.db") as db:
        courses = db.execute(
            "SELECT r.startup_s, r.collection_s, r.finish_s, r.settings, e.CPU_COUNT FROM"
            " blackbox_runs r JOIN EXECUTION_CONTEXTS e ON e.ENV_H = r.env_h"
        ).fetchall()
    assert len(courses) == 2
    for startup, collection, finish, settings, _ in courses:
        assert startup > 0 and collection > 0 and finish >= 0, courses
        assert json.loads(settings) == {"workers": 0}
    cpu_count = min(row[4] for row in courses)

    plan = make_plan(project, "--shards", "2")
    assert plan["workers_max"] == cpu_count and plan["workers_max_from"] == "cpu_count"
    assert plan["history"]["cpu_count"] == cpu_count
    serial = plan["overhead"]["1"]
    assert serial["sessions"] == 2 and serial["from_workers"] == 0
    median = sorted(row[0] for row in courses)
    assert serial["startup_s"] == pytest.approx(sum(median) / 2)
    for shard in plan["shards"]:
        expected = plan["overhead"][str(shard["workers"])]
        overhead = expected["startup_s"] + expected["collection_s"] + expected["finish_s"]
        assert shard["overhead_s"] == pytest.approx(overhead)
        assert (
            shard["expected_wall_s"]
            >= shard["overhead_s"] + shard["duration_s"] / max(shard["workers"], 1) - 1e-9
        )
    text = project.blackbox("plan", "--shards", "2", "-o", "plan.json").stdout
    assert "overhead" in text.splitlines()[0]

    told = make_plan(project, "--shards", "2", "--workers-max", "3")
    assert told["workers_max"] == 3 and told["workers_max_from"] == "option"
