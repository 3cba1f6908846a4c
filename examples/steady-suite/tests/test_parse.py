"""Quick pure-Python tests: a millisecond or less each."""

import json

import pytest


@pytest.mark.parametrize("size", [1, 10, 100, 1000])
def test_round_trip(size):
    document = {f"key{i}": [i, str(i), {"nested": i * 2}] for i in range(size)}
    assert json.loads(json.dumps(document)) == document


@pytest.mark.parametrize("text", ["a,b,c", "1,2,3", "", "x" * 500])
def test_split_join(text):
    assert ",".join(text.split(",")) == text


def test_sorting():
    values = [(i * 7919) % 10007 for i in range(20000)]
    assert sorted(values) == sorted(values, reverse=True)[::-1]
