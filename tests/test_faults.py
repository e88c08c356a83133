"""Issue 25 under pytest: a slice of the fault sweep (tests/faults/, `make faults` runs it
all). In each scenario the first, middle and last call of every kind of file operation
the build makes fails (counted first, so each fault is sure to fire), a write fails for
good (a full disk), the file size limit cuts files from SQLite's and Pagefind's C and
Rust code too, and each folder of the site is made immutable. After each: exit 0 and
output/ equal to a clean build's, or exit 1, one line naming a path and the cause, and
output/ as before; content/ untouched; the next build equal to a clean build.
"""

from __future__ import annotations

import pytest
from faults.harness import (
    IMMUTABLE_FOLDERS,
    SCENARIOS,
    Fault,
    Outcome,
    Sweep,
    immutable,
    injected,
    size_limit,
)

KB = 1024
GROUPS = [("first", 1), ("config", 2), ("edit", 1), ("new", 2)]
"""Scenario and --jobs: a build from nothing, a warm one after folio.toml changed,
an edited story (the quick path), a new story (the incremental pipeline)."""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    return Sweep(tmp_path_factory.mktemp("faults"))


def sample(counts: dict[str, int]) -> list[Fault]:
    faults = [injected(kind, nth) for kind, total in counts.items()
              for nth in sorted({1, (total + 1) // 2, total}) if total]
    return [*faults, injected("write", counts["write"] // 3, persist=True)]


def tried(sweep: Sweep, points: list[tuple[str, int, Fault]]) -> None:
    outcomes = [sweep.try_point(SCENARIOS[name], jobs, fault) for name, jobs, fault in points]
    print(f"{len(outcomes)} failure points tried")
    failed = [o for o in outcomes if not o.ok]
    if failed:
        pytest.fail(f"{len(failed)} of {len(outcomes)} failure points failed:\n"
                    + "\n".join(map(described, failed)), pytrace=False)


def described(outcome: Outcome) -> str:
    return (f"  {outcome.scenario} --jobs {outcome.jobs} {outcome.fault} (at {outcome.hit}): "
            f"exit {outcome.code}, {'; '.join(outcome.problems)}\n    again: "
            f"{outcome.reproducer()}")


@pytest.mark.parametrize(("name", "jobs"), GROUPS, ids=[f"{n}-jobs{j}" for n, j in GROUPS])
def test_an_error_at_any_file_operation_ends_cleanly(sweep: Sweep, name: str, jobs: int) -> None:
    counts = sweep.count(SCENARIOS[name], jobs)
    assert counts["open"] and counts["write"] and counts["mkdir"], counts
    tried(sweep, [(name, jobs, fault) for fault in sample(counts)])


def test_a_file_size_limit_ends_cleanly(sweep: Sweep) -> None:
    largest = sweep.largest_file(SCENARIOS["config"])
    limits = [8 * KB, 64 * KB, 165 * KB, largest - 1]
    tried(sweep, [(name, jobs, size_limit(limit)) for name, jobs in [("config", 1), ("first", 2)]
                  for limit in limits])


def test_an_immutable_folder_ends_cleanly(sweep: Sweep) -> None:
    tried(sweep, [("edit", 1, immutable(folder)) for folder in IMMUTABLE_FOLDERS]
          + [("first", 2, immutable("."))])


def test_the_injector_counts_every_kind_it_names(sweep: Sweep) -> None:
    """The sweep's ranges come from these counts: a build from nothing opens, writes,
    makes folders, renames and copies (photos); a warm one links from output/."""
    cold = sweep.count(SCENARIOS["first"], 1)
    warm = sweep.count(SCENARIOS["template"], 1)
    assert min(cold["open"], cold["write"], cold["mkdir"], cold["rename"], cold["copy"]) > 0
    assert warm["link"] > 0
