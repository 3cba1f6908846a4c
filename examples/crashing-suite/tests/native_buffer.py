"""A stand-in for a C extension with a bug: it reads through a null pointer."""

import ctypes


def checksum(buffer_address):
    # Like a C function handed a NULL buffer: the read faults and the process dies of SIGSEGV.
    data = ctypes.string_at(buffer_address, 16)
    return sum(data)
