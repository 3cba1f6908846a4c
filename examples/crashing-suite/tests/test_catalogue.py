import pytest


def test_counts_apples(catalogue):
    assert catalogue["apples"] == 3


def test_counts_pears(catalogue):
    print("pears:", catalogue["pears"])
    assert catalogue["pears"] == 4, "someone ate a pear"


@pytest.mark.skip(reason="plums are out of season")
def test_counts_plums(catalogue):
    assert catalogue["plums"] == 0
