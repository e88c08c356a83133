"""The process pool hands every batch's results back in order, whatever their size,
and its workers read what the others put in their shared log."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from generator import parallel
from generator.render import Fragments

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


def run_fresh(script: str) -> Any:
    """What `script` prints as JSON, run in a fresh interpreter."""
    paths = [str(ROOT), str(ROOT / "tests")]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, env={"PYTHONPATH": ":".join(paths)}, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_results_come_back_in_order_through_slots_and_the_pipe() -> None:
    found = run_fresh(CHECK)
    assert found["in order"]
    assert "slot" in found["answers"] and "pipe" in found["answers"]


SHARING = """
import json
from generator import parallel
from test_parallel import log_and_read

items = list(range(400))
seen = list(parallel.Runner(2).map(log_and_read, None, items))
print(json.dumps(seen))
"""


def log_and_read(_: None, positions: Sequence[int]) -> list[dict[str, object]]:
    """A stand-in for rendering cards: log a record per item, then report what the
    other workers logged so far (writer and item), each body checked against its head."""
    log = parallel.shared_log()
    assert log is not None
    for p in positions:
        log.append(b"%d %d" % (log.region, p), b"body of %d" % p * (p % 7))
    found = []
    for head, start, size in log.news():
        writer, p = map(int, head.split())
        assert log.body(start, size) == b"body of %d" % p * (p % 7)
        found.append([writer, p])
    first = {"region": log.region, "others": found}
    return [first] + [{"region": log.region, "others": []}] * (len(positions) - 1)


def test_workers_of_a_pool_read_each_others_records() -> None:
    seen = run_fresh(SHARING)
    regions = {answer["region"] for answer in seen}
    assert regions == {0, 1}
    found = [(answer["region"], writer, p)
             for answer in seen for writer, p in answer["others"]]
    assert found, "no worker read a record of the other"
    assert all(reader != writer for reader, writer, _ in found)
    items = [p for _, _, p in found]
    assert len(items) == len(set(items)), "a record was read twice"
    assert set(items) <= set(range(400))


def test_a_record_is_read_only_once_it_is_whole() -> None:
    log = parallel.SharedLog(2)
    try:
        log.region = 1
        start = log.append(b"head", b"the body")
        assert start is not None
        log.region = 0
        assert [(head, log.body(s, n)) for head, s, n in log.news()] == [(b"head", b"the body")]
        assert list(log.news()) == []

        log.region = 1
        start = log.append(b"second", b"written")
        assert start is not None
        log.memory[start] ^= 0xFF  # as if seen before its bytes all landed
        log.region = 0
        assert list(log.news()) == []
        log.memory[start] ^= 0xFF
        assert [head for head, _, _ in log.news()] == [b"second"]
    finally:
        log.close()


def test_a_full_region_takes_no_more_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.SharedLog, "SIZE", 2 << 20)
    log = parallel.SharedLog(2)
    try:
        assert log.region_size == 1 << 20
        log.region = 0
        assert log.append(b"", b"x" * (log.region_size // 2)) is not None
        assert log.append(b"", b"x" * (log.region_size // 2)) is None
        log.region = 1
        assert log.append(b"", b"x" * (log.region_size // 2)) is not None
    finally:
        log.close()


def test_each_worker_claims_a_region_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.SharedLog, "SIZE", 300 << 20)
    log = parallel.SharedLog(300)  # more workers than one byte can number
    try:
        claimed = []
        for _ in range(301):
            log.claim()
            claimed.append(log.region)
        assert claimed[:300] == list(range(300))
        assert claimed[300] is None
    finally:
        log.close()


def test_a_fragment_one_worker_rendered_is_found_by_the_other() -> None:
    log = parallel.SharedLog(2)
    try:
        first, second = Fragments(log), Fragments(log)
        log.region = 0
        first.put(("partials/card.html", "a.md", ()), Markup("<p>card ü</p>"), ("card.html",))
        log.region = 1
        assert second.get(("partials/card.html", "b.md", ())) is None
        found = second.get(("partials/card.html", "a.md", ()))
        assert found == (Markup("<p>card ü</p>"), ("card.html",))
        assert isinstance(found[0], Markup)
    finally:
        log.close()


def test_many_jobs_share_out_the_result_slots() -> None:
    slots = parallel._Slots(3 * 64)  # the batches in flight for 64 jobs
    try:
        assert slots.size < parallel._Slots.SIZE
        assert len(slots.memory) <= parallel._Slots.TOTAL
        big = [b"x" * slots.size]
        assert slots.put(0, big) == big  # too big for its slot: handed back as it is
        assert slots.take(1, slots.put(1, [b"small"])) == [b"small"]
    finally:
        slots.memory.close()
