"""Tests that allocate: what each adds to its process, and memory kept across tests."""

import os

import pytest

MiB = 1024 * 1024
KEPT = []


def touched(size):
    block = bytearray(size)
    block[::4096] = b"\x01" * len(block[::4096])
    return block


@pytest.fixture(scope="module")
def lookup_table():
    return touched(40 * MiB)


def test_small_buffers(lookup_table):
    assert len(touched(2 * MiB)) == 2 * MiB


def test_build_index(lookup_table):
    # STEADY_HUNGRIER plants a +50 MiB allocation
    extra = 50 * MiB if os.environ.get("STEADY_HUNGRIER") else 0
    assert len(touched(20 * MiB + extra)) == 20 * MiB + extra


def test_cache_warmup():
    # keeps what it allocated: every test after it in this process starts 30 MiB higher
    KEPT.append(touched(30 * MiB))


@pytest.mark.parametrize("mib", [5, 10, 15])
def test_frames(mib):
    assert len(touched(mib * MiB)) == mib * MiB


def test_after_the_cache():
    assert sum(len(block) for block in KEPT) >= 0
