"""The process pool hands every batch's results back in order, whatever their size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from generator import parallel
from generator.parallel import Runner


def pages_of(size: int, positions: Sequence[int]) -> list[bytes]:
    """A stand-in for rendering: the first half of every 32 items small, the rest large."""
    return [b"%d:" % p + b"x" * (10 if p % 32 < 16 else size) for p in positions]


def test_results_come_back_in_order_through_slots_and_the_pipe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Slots of 50 KB: a batch of 16 small results fits, one of 16 large ones does not.
    monkeypatch.setattr(parallel._Slots, "SIZE", 50_000)
    answers: list[str] = []
    take = parallel._Slots.take

    def spy(self: parallel._Slots, slot: int, answer: Any) -> Any:
        answers.append("slot" if isinstance(answer, int) else "pipe")
        return take(self, slot, answer)

    monkeypatch.setattr(parallel._Slots, "take", spy)
    items = list(range(200))
    results = list(Runner(2).map(pages_of, 10_000, items))
    assert results == pages_of(10_000, items)
    assert "slot" in answers and "pipe" in answers
