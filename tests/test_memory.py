"""`give_back`, which every process of a build calls every few thousand pages, returns
the memory the process freed to the system."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# In a fresh interpreter: what this test process freed before would blur the figures.
CHECK = """
import os
from generator.engine.memory import give_back

def resident():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

kept = [bytes(1000) + bytes([n % 256]) for n in range(200_000)]  # 200 MB, C allocator
kept = kept[::100]  # what stays is spread all over the heap: none of it is at its top
freed = resident()
give_back()
print(freed - resident())
"""


def test_freed_memory_goes_back_to_the_system() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                          check=True, cwd=ROOT, timeout=60)
    assert int(done.stdout) > 150 * 2**20
