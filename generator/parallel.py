"""Running batches of work in this process, a local process pool, or any Executor.

Work is cut into batches and results come back in submission order. Work that
needs large shared state (the site index, to render pages) gets it once per
worker: a local pool inherits it, and the items too, when the worker starts (a
batch is sent as the positions of its items); a Dask cluster receives it once
per worker through `client.scatter`; any other Executor is sent it with every
batch.
"""

from __future__ import annotations

import gc
import itertools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import UsageError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

Item = TypeVar("Item")
Result = TypeVar("Result")
Shared = TypeVar("Shared")
Part = TypeVar("Part")

# Per-process state of a pool worker: what `start_worker` was given. Only pool
# workers set it; the building process never reads it.
_WORKER_SHARED: dict[str, Any] = {}


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """`items` in lists of `size` (the last may be shorter), consumed lazily."""
    part: list[Item] = []
    for item in items:
        part.append(item)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def batches(items: Sequence[Item], jobs: int, smallest: int = 16,
            largest: int = 32) -> list[Sequence[Item]]:
    """`items` cut into batches: several per job so that jobs finish together, and none
    so large that the results of the batches in flight crowd memory: a page of a
    feed, with the bodies of its stories, is near 200 KB, and the building process
    may hold the results of every batch in the window at once."""
    size = min(largest, max(smallest, -(-len(items) // (jobs * 8))))
    return [items[i : i + size] for i in range(0, len(items), size)]


class Runner:
    """Where batches run: `jobs` local processes, or the given Executor."""

    def __init__(
        self,
        jobs: int,
        executor: Executor | None = None,
        scatter: Any = None,
        close: Callable[[], object] | None = None,
    ) -> None:
        self.jobs = max(1, jobs)
        self.executor = executor
        self.scatter = scatter
        """`client.scatter` of a Dask client, to send shared state once per worker."""
        self._close = close

    def close(self) -> None:
        """Let go of the executor's resources (a Dask client's connection)."""
        if self._close:
            self._close()

    @property
    def is_local(self) -> bool:
        return self.executor is None and self.jobs == 1

    def map(
        self,
        work: Callable[[Shared, Sequence[Item]], list[Result]],
        shared: Shared,
        items: Sequence[Item],
    ) -> Iterator[Result]:
        """`work(shared, batch)` over batches of `items`, results in order."""
        if self.is_local or len(items) < 2 * 16:
            for part in batches(items, self.jobs):  # here too, so results never pile up
                yield from work(shared, part)
            return
        window = 3 * self.jobs
        if self.executor is not None:
            executor = self.executor
            handle = self.scatter([shared], broadcast=True)[0] if self.scatter else shared
            yield from _ordered(lambda part: executor.submit(work, handle, part),
                                batches(items, self.jobs), window)
            return
        # Workers inherit the items with `shared` and are sent only where each batch
        # starts and stops: pickling every page to send it cost more than rendering some.
        with _local_pool(self.jobs, (shared, items)) as pool:
            yield from _ordered(lambda span: pool.submit(_with_worker_state, work, span),
                                batches(range(len(items)), self.jobs), window)


def dask_runner(address: str, jobs: int) -> Runner:
    """A Runner on the Dask cluster at `address` (workers must see the site folder)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError("--dask needs Dask: pip install 'folio[dask]'") from None
    try:
        client = Client(address, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    executor = client.get_executor()  # type: ignore[no-untyped-call]
    return Runner(jobs, executor, scatter=client.scatter, close=client.close)


def _ordered(
    submit: Callable[[Part], Future[list[Result]]],
    parts: Sequence[Part],
    window: int,
) -> Iterator[Result]:
    """Results of `parts` in order, with at most `window` batches out at a time, so
    results wait in memory only as long as the consumer needs to catch up."""
    pending: deque[Future[list[Result]]] = deque()
    upcoming = iter(parts)
    try:
        pending.extend(submit(part) for part in itertools.islice(upcoming, window))
        while pending:
            results = pending.popleft().result()
            pending.extend(submit(part) for part in itertools.islice(upcoming, 1))
            yield from results
    finally:
        for future in pending:
            future.cancel()


@contextmanager
def _local_pool(jobs: int, shared: tuple[Any, Sequence[Any]]) -> Iterator[ProcessPoolExecutor]:
    # Imported here: most rebuilds render too few pages to start a pool.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork lets workers inherit `shared` and the items without pickling them, but is
    # unsafe in a process running threads (the live-reload server); forkserver is not.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(method)
    # Forked workers share the parent's objects until they write to them, and the
    # garbage collector writes to every object it visits: frozen objects it leaves
    # alone, so workers keep sharing the index instead of each copying it.
    gc.freeze()
    try:
        with ProcessPoolExecutor(jobs, context, initializer=_start_worker,
                                 initargs=(shared,)) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _start_worker(shared_and_items: tuple[Any, Sequence[Any]]) -> None:
    _WORKER_SHARED["shared"], _WORKER_SHARED["items"] = shared_and_items


def _with_worker_state(work: Callable[[Any, Sequence[Item]], list[Result]],
                       positions: Sequence[int]) -> list[Result]:
    items: Sequence[Item] = _WORKER_SHARED["items"]
    return work(_WORKER_SHARED["shared"], [items[i] for i in positions])
