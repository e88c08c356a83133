"""The process pool hands every batch's results back in order, whatever their size."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in a fresh interpreter: pool workers are forked, and so share memory with the
# building process, only where no other thread runs, and this test process may
# have server threads of other tests.
CHECK = """
import json, sys
from generator import parallel
from test_parallel import pages_of

# Slots of 50 KB: a batch of 16 small results fits, one of 16 large ones does not.
parallel._Slots.SIZE = 50_000
answers = []
take = parallel._Slots.take

def spy(self, slot, answer):
    answers.append("slot" if isinstance(answer, int) else "pipe")
    return take(self, slot, answer)

parallel._Slots.take = spy
items = list(range(200))
results = list(parallel.Runner(2).map(pages_of, 10_000, items))
print(json.dumps({"in order": results == pages_of(10_000, items), "answers": answers}))
"""


def pages_of(size: int, positions: Sequence[int]) -> list[bytes]:
    """A stand-in for rendering: the first half of every 32 items small, the rest large."""
    return [b"%d:" % p + b"x" * (10 if p % 32 < 16 else size) for p in positions]


def test_results_come_back_in_order_through_slots_and_the_pipe() -> None:
    paths = [str(ROOT), str(ROOT / "tests")]
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                          check=False, env={"PYTHONPATH": ":".join(paths)}, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["in order"]
    assert "slot" in found["answers"] and "pipe" in found["answers"]
