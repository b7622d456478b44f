"""Process measurements shared by the benchmark apps."""

from __future__ import annotations


def peak_rss_kib() -> int:
    """Peak resident memory of this process (VmHWM), in KiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("VmHWM not found")
