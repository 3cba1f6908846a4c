"""The `start` record's seed_options: what repeats the session's random order in a re-run."""

from pathlib import Path

import pytest
from recording import journal

PLUGIN = ("-p", "pytest_blackbox.plugin")

# pytest-random-order 1.x's options, as it declares them (its 1.1.0 cannot be installed beside
# this suite: it breaks `-p no:cacheprovider`): the bucket chooses whether it shuffles, the seed
# is drawn when the options are added unless given.
RANDOM_ORDER = """
import random

def pytest_addoption(parser):
    group = parser.getgroup("random-order")
    group.addoption("--random-order-bucket", dest="random_order_bucket", default="none")
    group.addoption(
        "--random-order-seed", dest="random_order_seed", default=str(random.randint(1, 10**6))
    )
"""

TRIVIAL = "def test_one():\n    pass\n"


def test_a_shuffling_session_records_its_seed(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(random_order_like=RANDOM_ORDER, test_trivial=TRIVIAL)
    pytester.syspathinsert()
    pytester.runpytest(
        *PLUGIN, "-p", "random_order_like", "--random-order-bucket=global", "-q", "test_trivial.py"
    )
    (seed,) = journal(run_dir)[0]["seed_options"]
    assert seed.startswith("--random-order-seed=") and int(seed.split("=")[1]) > 0


def test_a_session_that_does_not_shuffle_records_none(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(random_order_like=RANDOM_ORDER, test_trivial=TRIVIAL)
    pytester.syspathinsert()
    pytester.runpytest(*PLUGIN, "-p", "random_order_like", "-q", "test_trivial.py")
    assert journal(run_dir)[0]["seed_options"] == []
