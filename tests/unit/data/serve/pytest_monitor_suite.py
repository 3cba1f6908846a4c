import time
import pytest

pytest_monitor_component = "shapes"


def test_quick():
    assert sum(range(10)) == 45


def test_sleeps():
    time.sleep(0.05)


@pytest.mark.parametrize("a,b", [(1, 2), ("x-y", "z")])
def test_pairs(a, b):
    assert a != b


class TestBox:
    def test_side(self):
        assert len("box") == 3


def test_fails():
    assert 1 == 2
