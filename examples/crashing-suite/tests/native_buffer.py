"""A stand-in for a C extension with a bug: it reads through a null pointer."""

import ctypes

# The buffer's layout, as a C struct would have it: an 8-byte length, then the payload.
HEADER = 8


def checksum(buffer_address):
    # Like a C function handed a NULL struct pointer: reading the payload behind the header
    # faults (address 8 is never mapped) and the process dies of SIGSEGV.
    data = ctypes.string_at(buffer_address + HEADER, 16)
    return sum(data)
