"""`make faults`: the whole fault sweep of issue 25 over the fixture site.

Every N of every kind of file operation the building process makes (counted first,
per scenario and --jobs), a file size limit every 4 KB from 4 KB to the largest file
the build leaves (and one byte either side of the largest files' sizes), and each
folder of the site made immutable; in every scenario with --jobs 1 and 2. Prints how
many failure points were tried and a table of those that failed, each with the
command that tries it again (--only). Exit 1 when any failed.

    .venv/bin/python tests/faults/sweep.py [--scenarios first,edit] [--jobs 1]
        [--kinds write,rename] [--stride K] [--workers 2] [--only 'edit/2/write:17:ENOSPC']
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    IMMUTABLE_FOLDERS,
    KINDS,
    SCENARIOS,
    Fault,
    Outcome,
    Scenario,
    Sweep,
    immutable,
    injected,
    size_limit,
)

KB = 1024
PERSIST_STRIDE = 10
FEW = 50
"""Every tenth N is also tried with the error persisting, as a full disk does."""


def main() -> int:
    args = _arguments()
    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="folio-faults-"))
    sweep = Sweep(scratch)
    points = list(_only(args.only) if args.only else _points(sweep, args))
    print(f"{len(points)} failure points to try in {scratch}", flush=True)
    started, done, lock = time.monotonic(), [0], threading.Lock()
    slots = iter(range(1 << 30))

    def attempt(point: tuple[Scenario, int, Fault]) -> Outcome:
        outcome = sweep.try_point(*point, slot=f"run-{next(slots)}")
        with lock:
            done[0] += 1
            if not outcome.ok or done[0] % 100 == 0:
                print(f"[{done[0]}/{len(points)}] {_row(outcome)}", flush=True)
        return outcome

    with ThreadPoolExecutor(args.workers) as pool:
        outcomes = list(pool.map(attempt, points))
    failed = [o for o in outcomes if not o.ok]
    print(f"\nTried {len(outcomes)} failure points in {time.monotonic() - started:.0f} s: "
          f"{len(outcomes) - len(failed)} passed, {len(failed)} failed.")
    if failed:
        print("\n| scenario | jobs | fault | exit | where | message | problems |")
        print("|---|---|---|---|---|---|---|")
        for outcome in failed:
            print(_row(outcome, table=True))
        print("\nTry one again: " + failed[0].reproducer())
    if args.only:
        print(f"\nThe faulted build's stderr:\n{outcomes[0].stderr}", end="")
    return 1 if failed else 0


def _points(sweep: Sweep, args: argparse.Namespace) -> Iterator[tuple[Scenario, int, Fault]]:
    for name in args.scenarios.split(","):
        scenario = SCENARIOS[name]
        for jobs in map(int, args.jobs.split(",")):
            counts = sweep.count(scenario, jobs)
            print(f"{name} --jobs {jobs}: calls {counts}", flush=True)
            for kind in args.kinds.split(","):
                total = counts.get(kind, 0)
                # A kind of few calls (renames, photo copies) is tried at every N.
                for nth in range(1, total + 1, args.stride if total > FEW else 1):
                    yield scenario, jobs, injected(kind, nth)
                    if nth % PERSIST_STRIDE == 1:
                        yield scenario, jobs, injected(kind, nth, persist=True)
            if args.limits:
                for limit in _limits(sweep, scenario, args.stride):
                    yield scenario, jobs, size_limit(limit)
            if args.immutable:
                for folder in IMMUTABLE_FOLDERS:
                    yield scenario, jobs, immutable(folder)


def _limits(sweep: Sweep, scenario: Scenario, stride: int) -> list[int]:
    largest = sweep.largest_file(scenario)
    steps = set(range(4 * KB, largest + 4 * KB, 4 * KB * stride))
    return sorted(steps | {largest - 1, largest, 165 * KB})


def _only(text: str) -> Iterator[tuple[Scenario, int, Fault]]:
    """'edit/2/write:17:ENOSPC', 'first/1/fsize:168960' (bytes; `ulimit -f 165`),
    'new/1/chattr +i .folio-cache'."""
    name, jobs, fault = text.split("/", 2)
    if fault.startswith("fsize:"):
        parsed = size_limit(int(fault.removeprefix("fsize:")))
    elif fault.startswith("chattr +i "):
        parsed = immutable(fault.split(maxsplit=2)[-1])
    else:
        kind, nth, error, *flags = fault.split(":")
        parsed = Fault(kind, int(nth), error, persist=flags == ["persist"])
    yield SCENARIOS[name], int(jobs), parsed


def _row(outcome: Outcome, table: bool = False) -> str:
    cells = [outcome.scenario, str(outcome.jobs), str(outcome.fault), str(outcome.code),
             outcome.hit, outcome.message[:160], "; ".join(outcome.problems)[:300] or "ok"]
    if table:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
    return "  ".join(cells)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--stride", type=int, default=1, help="try every K-th N and limit")
    parser.add_argument("--no-limits", dest="limits", action="store_false")
    parser.add_argument("--no-immutable", dest="immutable", action="store_false")
    parser.add_argument("--workers", type=int, default=2, help="points tried at once")
    parser.add_argument("--scratch", help="folder for the sites (default: a new temporary one)")
    parser.add_argument("--only", help="one point, as the failure table names it")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
