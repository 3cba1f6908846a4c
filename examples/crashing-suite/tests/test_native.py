import pytest

from native_buffer import HEADER, checksum


def test_checksum_of_a_real_buffer():
    import ctypes

    buffer = ctypes.create_string_buffer(bytes(HEADER) + b"0123456789abcdef")
    assert checksum(ctypes.addressof(buffer)) == sum(b"0123456789abcdef")


@pytest.mark.parametrize("address", [0], ids=["null-buffer"])
def test_checksum_of_an_unmapped_buffer(address):
    assert checksum(address) == 0


def test_after_the_crash():
    assert True
