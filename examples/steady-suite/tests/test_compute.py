"""CPU-bound tests of about 20 to 200 ms: their times move with the machine's load."""

import hashlib

import pytest


@pytest.mark.parametrize("count", [250_000, 700_000, 2_500_000])
def test_sum_of_squares(count):
    assert sum(i * i for i in range(count)) == (count - 1) * count * (2 * count - 1) // 6


def test_digest_chain():
    data = b"steady" * 1000
    for _ in range(4000):
        data = hashlib.sha256(data).digest() * 200
    assert len(data) == 6400


def test_primes():
    limit = 2_000_000
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
    assert sum(sieve) == 148933


def test_fibonacci():
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    assert fib(26) == 121393
