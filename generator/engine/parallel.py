"""Running batches of work in this process, a local process pool, or any Executor.

Work is cut into batches and results come back in submission order. Work that
needs large shared state (the site index, to render pages) gets it once per
worker: a local pool's workers read it from a file once (they start before the
build holds much, see `Runner.start`, and hand results back through shared
memory, and can share what they make through a `SharedLog`); a Dask cluster
receives it once per worker through `client.scatter`; any other Executor is
sent it with every batch.
"""

from __future__ import annotations

import itertools
import mmap
import os
import pickle
import struct
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ..site.errors import UsageError
from .lifeline import die_with_parent
from .memory import give_back_past

Item = TypeVar("Item")
Result = TypeVar("Result")
Shared = TypeVar("Shared")
Part = TypeVar("Part")
Mapped = TypeVar("Mapped")

# Per-process state of a pool worker: what `_start_worker` was given, and the shared
# state of the work under way. Only pool workers set it; the building process never
# reads it.
_WORKER_SHARED: dict[str, Any] = {}


def shared_log() -> SharedLog | None:
    """The log this worker shares with the other workers of its pool; None outside
    a forked local pool (in the building process, a forkserver or Dask worker)."""
    log: SharedLog | None = _WORKER_SHARED.get("log")
    return log


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
            largest: int = 32) -> Iterator[Sequence[Item]]:
    """`items` cut into batches, each sliced when taken: several per job so that jobs
    finish together, and none so large that the results of the batches in flight
    crowd memory: a page of a feed carries the bodies of its stories, and the
    building process may hold the results of every batch in the window at once."""
    size = min(largest, max(smallest, -(-len(items) // (jobs * 8))))
    return (items[i : i + size] for i in range(0, len(items), size))


_IN_FLIGHT = 3
"""Batches out at a time per job; a local pool has a result slot for each."""


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
        self._pool: _Pool | None = None

    def start(self, scratch: Path | None = None) -> None:
        """Start the local workers now, while this process holds little. A forked
        worker keeps every page of memory it was forked with as long as it lives,
        whatever either process does with it later: forked from a building process
        that holds a big archive's index and pages, each worker soon holds its own
        copy, as reference counts and the allocator write to them.

        `scratch`: the folder for the workers' shared log and state (the system's temporary
        folder when None, which may be memory: tmpfs)."""
        if self.executor is None and self.jobs > 1 and self._pool is None:
            self._pool = _Pool(self.jobs, scratch)

    def stop(self) -> None:
        """Stop the local workers (`map` starts them again). A full build stops them once
        it has rendered: each holds much memory by then, and the building process
        peaks after that, while it saves the build cache."""
        if self._pool:
            self._pool.close()
            self._pool = None

    def close(self) -> None:
        """Stop the local workers; let go of the executor's resources (a Dask
        client's connection)."""
        self.stop()
        if self._close:
            self._close()

    @property
    def is_local(self) -> bool:
        return self.executor is None and self.jobs == 1

    def sends(self, count: int) -> bool:
        """Whether `map` over `count` items sends them to other processes."""
        return not (self.is_local or count < 2 * 16)

    def map(
        self,
        work: Callable[[Shared, Sequence[Item]], list[Result]],
        shared: Shared,
        items: Sequence[Item],
    ) -> Iterator[Result]:
        """`work(shared, batch)` over batches of `items`, results in order."""
        if not self.sends(len(items)):
            for part in batches(items, self.jobs):  # here too, so results never pile up
                yield from work(shared, part)
            return
        window = _IN_FLIGHT * self.jobs
        if self.executor is not None:
            executor = self.executor
            handle = self.scatter([shared], broadcast=True)[0] if self.scatter else shared
            yield from _ordered(lambda _, part: executor.submit(work, handle, part),
                                batches(items, self.jobs), window, _as_sent)
            return
        self.start()
        assert self._pool is not None
        pool = self._pool
        with pool.handout(shared) as handout:
            yield from _ordered(
                lambda slot, part: pool.executor.submit(_in_worker, work, handout, part, slot),
                batches(items, self.jobs),
                window,
                pool.slots.take if pool.slots else _as_sent,
            )


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
    submit: Callable[[int, Part], Future[Any]],
    parts: Iterable[Part],
    window: int,
    receive: Callable[[int, Any], list[Result]],
) -> Iterator[Result]:
    """Results of `parts` in order, with at most `window` batches out at a time, so
    results wait in memory only as long as the consumer needs to catch up. Batch `n`
    is submitted with slot `n % window`, free again once `receive` has its results."""
    pending: deque[tuple[int, Future[Any]]] = deque()
    upcoming = enumerate(parts)
    try:
        pending.extend((n % window, submit(n % window, part))
                       for n, part in itertools.islice(upcoming, window))
        while pending:
            slot, future = pending.popleft()
            results = receive(slot, future.result())
            pending.extend((n % window, submit(n % window, part))
                           for n, part in itertools.islice(upcoming, 1))
            yield from results
    finally:
        for _, future in pending:
            future.cancel()


def _as_sent(_: int, results: list[Result]) -> list[Result]:
    return results


_GIVE_BACK: int | None = getattr(mmap, "MADV_REMOVE", None)
"""Frees shared memory in every process that maps it (Linux only)."""


class _Slots:
    """Memory shared with forked workers, one slot per batch in flight, to hand back
    a batch's results. Through the pool's pipe, a batch of rendered pages goes in
    pieces the size of the pipe's buffer, the worker waiting on each until the building
    process reads it; through a slot it is one copy, and the worker goes on at once."""

    SIZE = 16 << 20
    """Bytes per slot at most; results that pickle larger go through the pipe."""
    TOTAL = 1 << 30
    """Bytes of address space for all the slots: with many jobs, each slot is smaller."""
    KEPT = 2 << 20
    """Bytes of a slot kept in memory once used; past them a slot's pages are given
    back after each take. A batch of story pages fits, but the feeds and sitemaps at
    the end of a big build fill the slots, and each process would keep what it touched
    of them."""

    def __init__(self, count: int) -> None:
        self.size = min(self.SIZE, self.TOTAL // count // mmap.PAGESIZE * mmap.PAGESIZE)
        self.memory = mmap.mmap(-1, count * self.size)

    def put(self, slot: int, results: list[Any]) -> list[Any] | int:
        """In a worker: `results` into `slot`, and their size; or `results` as they
        are when they do not fit."""
        data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > self.size:
            return results
        start = slot * self.size
        self.memory[start : start + len(data)] = data
        return len(data)

    def take(self, slot: int, answer: list[Result] | int) -> list[Result]:
        """The results a worker answered with, from `slot` when it put them there."""
        if not isinstance(answer, int):
            return answer
        start = slot * self.size
        view = memoryview(self.memory)[start : start + answer]
        try:
            results: list[Result] = pickle.loads(view)
        finally:
            view.release()
        if answer > self.KEPT and _GIVE_BACK is not None:
            kept_end = start + self.KEPT
            used_end = -(-(start + answer) // mmap.PAGESIZE) * mmap.PAGESIZE
            self.memory.madvise(_GIVE_BACK, kept_end, used_end - kept_end)
        return results


class SharedLog:
    """Records that the workers of a forked pool share: each appends to a region of
    its own and reads the others'. A record is a head (small, read by all) and a
    body, read where it lies when needed.

    The regions lie in a temporary file (in `folder`: a build puts it beside its
    cache, on the site's disk), not in shared memory: the kernel keeps its pages in
    its file cache, which it can write out and drop when memory is short,
    like the pages of the output. In shared memory, a big build's log (story cards
    and feed entries) would be counted in every process and could never be given
    back. A region starts with the offset of its end, written twice, after
    the records it covers: a reader sees only records written whole, and takes an
    end it read half written (the copies differ) for no news.
    """

    SIZE = 1 << 30
    """Bytes for all the regions, taken from the disk only as records fill them.
    Workers share out the records, so more workers need no more room."""
    _END = struct.Struct("@QQ")  # the end offset, twice
    _RECORD = struct.Struct("@II")  # head size, body size
    _CLAIM = struct.Struct("@H")  # a region's number, read whole from a pipe
    _CHUNK = 1 << 20
    """Bytes read at a time when catching up with another region."""

    def __init__(self, writers: int, folder: Path | None = None) -> None:
        self.region_size = self.SIZE // writers // 8 * 8
        self.writers = writers
        self.region: int | None = None
        """The region this process writes; None until it claims one."""
        fd, name = tempfile.mkstemp(prefix="folio-log-", dir=folder)
        Path(name).unlink()  # gone with the last process that has it open
        self.file = fd
        self._cursors = [self._END.size] * writers
        self._ends = [self._END.size] * writers
        """Where each region ends, as far as this process wrote it."""
        self._claims, handed = os.pipe()
        os.write(handed, b"".join(map(self._CLAIM.pack, range(writers))))
        os.close(handed)
        os.set_blocking(self._claims, False)
        for region in range(writers):
            os.pwrite(fd, self._END.pack(self._END.size, self._END.size),
                      region * self.region_size)

    def claim(self) -> None:
        """In a worker: take a region of its own (a number from the pipe each)."""
        try:
            claimed = os.read(self._claims, self._CLAIM.size)
        except BlockingIOError:
            claimed = b""
        self.region = self._CLAIM.unpack(claimed)[0] if claimed else None

    def close(self) -> None:
        os.close(self._claims)
        os.close(self.file)

    def append(self, head: bytes, body: bytes) -> int | None:
        """Add a record; where its body starts, or None when this process has no
        region or its region is full."""
        if self.region is None:
            return None
        base = self.region * self.region_size
        size = self._RECORD.size + len(head) + len(body)
        end = self._ends[self.region]
        if end + size > self.region_size:
            return None
        start = base + end
        os.pwrite(self.file, self._RECORD.pack(len(head), len(body)) + head + body, start)
        end = self._ends[self.region] = end + size
        os.pwrite(self.file, self._END.pack(end, end), base)
        return start + self._RECORD.size + len(head)

    def news(self) -> Iterator[tuple[bytes, int, int]]:
        """Records the other workers added since the last call: head, where the
        body starts, its size."""
        for region in range(self.writers):
            if region != self.region:
                yield from self._news_of(region)

    def _news_of(self, region: int) -> Iterator[tuple[bytes, int, int]]:
        base = region * self.region_size
        end, again = self._END.unpack(os.pread(self.file, self._END.size, base))
        end = min(end, self.region_size) if end == again else 0
        cursor = self._cursors[region]
        while cursor < end:
            chunk = os.pread(self.file, min(end - cursor, self._CHUNK), base + cursor)
            heads, bodies = self._RECORD.unpack_from(chunk)
            if self._RECORD.size + heads + bodies > len(chunk):  # a record larger than a chunk
                chunk = os.pread(self.file, self._RECORD.size + heads + bodies, base + cursor)
            used = 0
            while used + self._RECORD.size <= len(chunk):
                heads, bodies = self._RECORD.unpack_from(chunk, used)
                size = self._RECORD.size + heads + bodies
                if used + size > len(chunk):
                    break
                start = used + self._RECORD.size
                yield chunk[start : start + heads], base + cursor + start + heads, bodies
                used += size
            if not used:
                break  # cut short: the file is not as this process wrote it
            cursor += used
            self._cursors[region] = cursor

    def body(self, start: int, size: int) -> bytes:
        return os.pread(self.file, size, start)


class _Pool:
    """Local worker processes, kept for every `map` of a Runner until it closes."""

    def __init__(self, jobs: int, scratch: Path | None = None) -> None:
        # Imported here: most rebuilds render too few pages to start a pool.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork shares the slots and the log with the workers, but is unsafe in a
        # process running threads (the live-reload server); forkserver is not, and
        # its workers answer through the pipe and keep what they make.
        forking = threading.active_count() == 1
        context = multiprocessing.get_context("fork" if forking else "forkserver")
        self.slots = _mapped(_Slots, _IN_FLIGHT * jobs) if forking else None
        self.log = _mapped(lambda writers: SharedLog(writers, scratch), jobs) if forking else None
        self.scratch = scratch
        self.executor = ProcessPoolExecutor(jobs, context, initializer=_start_worker,
                                            initargs=(self.slots, self.log, os.getpid()
                                                      if forking else None))
        self.executor.submit(int).result()  # a forking pool starts all its workers now

    @contextmanager
    def handout(self, shared: object) -> Iterator[tuple[str, str]]:
        """`shared` in a file for each worker to read once, named with a token: a path
        is used again once its file is gone."""
        fd, name = tempfile.mkstemp(prefix="folio-shared-", dir=self.scratch)
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as file:
                pickle.dump(shared, file, protocol=pickle.HIGHEST_PROTOCOL)
            yield name, os.urandom(8).hex()
        finally:
            path.unlink()

    def close(self) -> None:
        self.executor.shutdown(cancel_futures=True)
        if self.slots:
            self.slots.memory.close()
        if self.log:
            self.log.close()


def _mapped(make: Callable[[int], Mapped], count: int) -> Mapped | None:
    """`make(count)`, or None where its shared memory cannot be mapped: the pool then
    does without (results come through the pipe, workers keep what they make)."""
    try:
        return make(count)
    except OSError:
        return None


def _start_worker(slots: _Slots | None, log: SharedLog | None, parent: int | None) -> None:
    # A forkserver's worker dies with the forkserver, which ends with the build.
    die_with_parent(parent or os.getppid())
    _WORKER_SHARED["slots"] = slots
    if log:
        log.claim()
        _WORKER_SHARED["log"] = log


def _in_worker(work: Callable[[Any, Sequence[Item]], list[Result]],
               handout: tuple[str, str], part: Sequence[Item], slot: int) -> list[Result] | int:
    if _WORKER_SHARED.get("handout") != handout:
        _WORKER_SHARED.pop("shared", None)  # the last work's state, before reading the next
        with Path(handout[0]).open("rb") as file:
            _WORKER_SHARED["shared"] = pickle.load(file)
        _WORKER_SHARED["handout"] = handout
    results = work(_WORKER_SHARED["shared"], part)
    done = _WORKER_SHARED.get("done", 0)
    _WORKER_SHARED["done"] = done + len(part)
    give_back_past(done, done + len(part))
    slots: _Slots | None = _WORKER_SHARED["slots"]
    return slots.put(slot, results) if slots else results
