"""What /proc/cpuinfo and /sys say about the processor (docs/formats/context.md, "CPU").

The rules and the ARM tables are the supervisor's, so both recorders name a machine alike.
"""

import re
from typing import Dict, List, NamedTuple, Optional, Tuple

# ARM "CPU implementer" codes (the MIDR register), as util-linux's lscpu names them.
IMPLEMENTERS: Dict[int, str] = {
    0x41: "ARM",
    0x42: "Broadcom",
    0x43: "Cavium",
    0x46: "Fujitsu",
    0x48: "HiSilicon",
    0x4E: "NVIDIA",
    0x50: "APM",
    0x51: "Qualcomm",
    0x53: "Samsung",
    0x56: "Marvell",
    0x61: "Apple",
    0x69: "Intel",
    0xC0: "Ampere",
}

# (implementer, "CPU part") codes of the cores found in phones, boards and arm64 servers.
PARTS: Dict[Tuple[int, int], str] = {
    (0x41, 0xD03): "Cortex-A53",
    (0x41, 0xD04): "Cortex-A35",
    (0x41, 0xD05): "Cortex-A55",
    (0x41, 0xD07): "Cortex-A57",
    (0x41, 0xD08): "Cortex-A72",
    (0x41, 0xD09): "Cortex-A73",
    (0x41, 0xD0A): "Cortex-A75",
    (0x41, 0xD0B): "Cortex-A76",
    (0x41, 0xD0C): "Neoverse-N1",
    (0x41, 0xD0D): "Cortex-A77",
    (0x41, 0xD0E): "Cortex-A76AE",
    (0x41, 0xD40): "Neoverse-V1",
    (0x41, 0xD41): "Cortex-A78",
    (0x41, 0xD44): "Cortex-X1",
    (0x41, 0xD46): "Cortex-A510",
    (0x41, 0xD47): "Cortex-A710",
    (0x41, 0xD48): "Cortex-X2",
    (0x41, 0xD49): "Neoverse-N2",
    (0x41, 0xD4B): "Cortex-A78C",
    (0x41, 0xD4D): "Cortex-A715",
    (0x41, 0xD4E): "Cortex-X3",
    (0x41, 0xD4F): "Neoverse-V2",
    (0x41, 0xD80): "Cortex-A520",
    (0x41, 0xD81): "Cortex-A720",
    (0x41, 0xD82): "Cortex-X4",
    (0x51, 0x800): "Kryo 2XX Gold",
    (0x51, 0x801): "Kryo 2XX Silver",
    (0x51, 0x802): "Kryo 3XX Gold",
    (0x51, 0x803): "Kryo 3XX Silver",
    (0x51, 0x804): "Kryo 4XX Gold",
    (0x51, 0x805): "Kryo 4XX Silver",
    (0x51, 0xC00): "Falkor",
    (0x61, 0x022): "Icestorm",
    (0x61, 0x023): "Firestorm",
    (0xC0, 0xAC3): "Ampere-1",
}

_HEX = re.compile(r"0[xX][0-9a-fA-F]{1,8}")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_KEYS = ("Hardware", "model name", "Processor", "cpu", "uarch", "vendor_id")


class CpuInfo(NamedTuple):
    model: Optional[str]
    vendor: Optional[str]
    mhz: Optional[float]
    processors: int  # `processor` entries: the last fallback for the CPU count


def parse_cpuinfo(text: str) -> CpuInfo:
    """Model, vendor, MHz and processor count of a /proc/cpuinfo text."""
    first: Dict[str, str] = {}  # the first non-empty value of each key of interest
    mhz: Optional[float] = None
    cores: List[str] = []  # each distinct ARM core once, in processor order
    implementer = ""  # of the processor block being read
    first_implementer: Optional[str] = None
    processors = 0
    for line in text.split("\n"):
        key, colon, value = line.partition(":")
        if not colon:
            continue
        key, value = key.strip(), value.strip()
        if key == "processor":
            processors += 1
            implementer = ""
        elif key in _KEYS:
            if value and key not in first:
                first[key] = value
        elif key == "cpu MHz":
            if mhz is None:
                mhz = parse_decimal(value)
        elif key == "CPU implementer":
            implementer = value
            if value and first_implementer is None:
                first_implementer = value
        elif key == "CPU part":
            name = _part_name(implementer, value)
            if name not in cores:
                cores.append(name)
    model_name = first.get("model name")
    generic = model_name is not None and "Processor rev" in model_name
    candidates = (
        first.get("Hardware"),
        None if generic else model_name,
        " + ".join(cores) or None,
        model_name,
        first.get("Processor"),
        first.get("cpu"),
        first.get("uarch"),
    )
    model = next((c for c in candidates if c), None)
    vendor = first.get("vendor_id")
    if vendor is None and first_implementer is not None:
        vendor = _implementer_name(first_implementer)
    return CpuInfo(model, vendor, mhz, processors)


def count_cpu_list(text: str) -> Optional[int]:
    """Number of CPUs in a kernel CPU list such as "0-3,5"; None when it is not one."""
    text = text.strip()
    if not text:
        return None
    count = 0
    for part in text.split(","):
        first, dash, last = part.partition("-")
        low, high = _unsigned(first), _unsigned(last if dash else first)
        if low is None or high is None or high < low or high - low >= 1_000_000:
            return None
        count += high - low + 1
    return count if count <= 1_000_000 else None


def parse_cpufreq_khz_as_mhz(text: str) -> Optional[float]:
    """A cpufreq file's kHz as MHz; None for zero or anything not a number."""
    khz = _unsigned(text.strip())
    return None if not khz else khz / 1000


def parse_decimal(text: str) -> Optional[float]:
    """ "2600.000" as 2600.0; None unless digits with an optional fraction."""
    return float(text) if _DECIMAL.fullmatch(text) else None


def _unsigned(text: str) -> Optional[int]:
    return int(text) if text.isascii() and text.isdigit() else None


def _hex(text: str) -> Optional[int]:
    return int(text, 16) if _HEX.fullmatch(text) else None


def _implementer_name(code: str) -> str:
    value = _hex(code)
    return IMPLEMENTERS.get(value, code) if value is not None else code


def _part_name(implementer: str, part: str) -> str:
    implementer_code, part_code = _hex(implementer), _hex(part)
    name = None
    if implementer_code is not None and part_code is not None:
        name = PARTS.get((implementer_code, part_code))
    return name or f"{_implementer_name(implementer)} part {part}"
