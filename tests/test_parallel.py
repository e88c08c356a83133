"""The process pool hands every batch's results back in order, whatever their size,
its workers read what the others put in their shared log, and they hold only what
they were started with and what they are sent."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from generator.engine import parallel
from generator.engine.cache import Cache, StoredArticles
from generator.engine.loading import load_settings
from generator.engine.pipeline import plan_site
from generator.engine.rendering import RenderSetup, SharedFragments, renderer_for
from generator.site.config import load_config
from generator.site.digests import new_token
from generator.site.model import Article, Page
from generator.site.pages import plan_pages
from generator.site.render import RenderIndex, site_infos

from fixture_site import write_fixture_site

ROOT = Path(__file__).resolve().parent.parent

# Run in a fresh interpreter: pool workers are forked, and so share memory with the
# building process, only where no other thread runs, and this test process may
# have server threads of other tests.
CHECK = """
import json, sys
from generator.engine import parallel
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


def run_fresh(script: str, *args: str) -> Any:
    """What `script` prints as JSON, run in a fresh interpreter with `args`."""
    paths = [str(ROOT), str(ROOT / "tests")]
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          check=False, env={"PYTHONPATH": ":".join(paths)}, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_results_come_back_in_order_through_slots_and_the_pipe() -> None:
    found = run_fresh(CHECK)
    assert found["in order"]
    assert "slot" in found["answers"] and "pipe" in found["answers"]


SHARING = """
import json
from generator.engine import parallel
from test_parallel import log_and_read

items = list(range(400))
seen = list(parallel.Runner(2).map(log_and_read, None, items))
print(json.dumps(seen))
"""


_WAITED: list[bool] = []


def log_and_read(_: None, positions: Sequence[int]) -> list[dict[str, object]]:
    """A stand-in for rendering cards: log a record per item, then report what the
    other workers logged so far (writer and item), each body checked against its head."""
    log = parallel.shared_log()
    assert log is not None
    for p in positions:
        log.append(b"%d %d" % (log.region, p), b"body of %d" % p * (p % 7))
    found = []
    # A worker's first batch waits for the other's records: on a busy machine one
    # worker may otherwise take every batch before the other runs at all.
    deadline = time.monotonic() + (0 if _WAITED else 30)
    while True:
        for head, start, size in log.news():
            writer, p = map(int, head.split())
            assert log.body(start, size) == b"body of %d" % p * (p % 7)
            found.append([writer, p])
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    _WAITED.append(True)
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
        assert log.append(b"second", b"written") is not None
        end = os.pread(log.file, 16, log.region_size)
        os.pwrite(log.file, end[:8] + bytes(8), log.region_size)  # its end half written
        log.region = 0
        assert list(log.news()) == []
        os.pwrite(log.file, end, log.region_size)
        assert [head for head, _, _ in log.news()] == [b"second"]
    finally:
        log.close()


def test_records_larger_than_a_read_are_read_whole() -> None:
    log = parallel.SharedLog(2)
    try:
        log.region = 1
        bodies = [b"a" * 10, b"b" * (3 * parallel.SharedLog._CHUNK), b"c" * 10]
        for number, body in enumerate(bodies):
            log.append(b"%d" % number, body)
        log.region = 0
        found = [(head, log.body(start, size)) for head, start, size in log.news()]
        assert found == [(b"0", bodies[0]), (b"1", bodies[1]), (b"2", bodies[2])]
    finally:
        log.close()


def test_the_log_is_a_file_not_memory_of_the_workers() -> None:
    """Its pages are the kernel's, to drop when memory is short; no process counts
    them as its own."""

    def resident() -> int:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGESIZE")

    log = parallel.SharedLog(2)
    try:
        log.region = 0
        before = resident()
        body = b"x" * 100_000
        for number in range(500):  # 50 MB
            log.append(b"%d" % number, body)
        assert resident() - before < 10_000_000
        assert os.fstat(log.file).st_nlink == 0  # unlinked: gone with its last process
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
        first, second = SharedFragments(log), SharedFragments(log)
        log.region = 0
        first.put(("partials/card.html", ()), "a.md", Markup("<p>card ü</p>"), ("card.html",))
        log.region = 1
        assert second.get(("partials/card.html", ()), "b.md") is None
        found = second.get(("partials/card.html", ()), "a.md")
        assert found == (Markup("<p>card ü</p>"), ("card.html",))
        assert isinstance(found[0], Markup)
    finally:
        log.close()


def test_many_jobs_share_out_the_result_slots() -> None:
    slots = parallel._Slots(parallel._IN_FLIGHT * 64)  # the batches in flight for 64 jobs
    try:
        assert slots.size < parallel._Slots.SIZE
        assert len(slots.memory) <= parallel._Slots.TOTAL
        big = [b"x" * slots.size]
        assert slots.put(0, big) == big  # too big for its slot: handed back as it is
        assert slots.take(1, slots.put(1, [b"small"])) == [b"small"]
    finally:
        slots.memory.close()



def test_a_slot_gives_back_its_memory_past_what_a_batch_of_pages_needs() -> None:
    slots = parallel._Slots(2)
    try:
        kept = parallel._Slots.KEPT
        large = [b"x" * (3 * kept)]
        assert slots.take(1, slots.put(1, large)) == large
        start = slots.size
        assert b"x" in slots.memory[start + kept - 100 : start + kept]
        assert slots.memory[start + kept : start + 3 * kept] == bytes(2 * kept)  # a hole
        assert slots.take(1, slots.put(1, large)) == large  # and the slot is used again
    finally:
        slots.memory.close()


POOL = """
import json
from generator.engine import parallel
import test_parallel

runner = parallel.Runner(2)
runner.start()
test_parallel.MADE_LATER = "made once the workers had started"
items = list(range(100))
first = list(runner.map(test_parallel.what_workers_see, "first", items))
second = list(runner.map(test_parallel.what_workers_see, "second", items))
runner.close()
print(json.dumps({"first": first, "second": second}))
"""

MADE_LATER: str | None = None


def what_workers_see(shared: str, positions: Sequence[int]) -> list[list[object]]:
    time.sleep(0.1)  # long enough for each worker to take batches
    return [[shared, p, MADE_LATER, os.getpid()] for p in positions]


def test_workers_start_before_the_work_and_serve_every_map_with_its_own_state() -> None:
    """Workers started early hold nothing the building process makes later (a 100k
    archive's index), and each map reaches them with its own shared state."""
    seen = run_fresh(POOL)
    for name in ("first", "second"):
        assert [shared for shared, _, _, _ in seen[name]] == [name] * 100
        assert [p for _, p, _, _ in seen[name]] == list(range(100))
        assert {later for _, _, later, _ in seen[name]} == {None}
    workers = {pid for _, _, _, pid in seen["first"]}
    assert len(workers) == 2 and os.getpid() not in workers
    assert {pid for _, _, _, pid in seen["second"]} == workers, "the pool was not kept"


BUILDS = """
import json, multiprocessing, sys
from pathlib import Path
from generator.engine.build import build
from generator.engine.cache import Cache
from generator.site.config import load_config
from generator.engine.parallel import Runner
from fixture_site import write_fixture_site

site = Path(sys.argv[1])
write_fixture_site(site, 60)
workers_while_saving = []
save_pages = Cache.save_pages

def spy(self, *args, **kwargs):
    workers_while_saving.append(len(multiprocessing.active_children()))
    return save_pages(self, *args, **kwargs)

Cache.save_pages = spy
runner = Runner(2)
rendered = [build(load_config(site), runner=runner).rendered]
config = site / "folio.toml"
config.write_text(config.read_text().replace('title = "', 'title = "The '))
rendered.append(build(load_config(site), runner=runner).rendered)
runner.close()
print(json.dumps({"rendered": rendered, "workers": workers_while_saving}))
"""


def test_a_build_stops_its_workers_before_it_saves_the_cache(tmp_path: Path) -> None:
    """Each worker holds 150 MiB or more at 100k and the building process peaks while
    it saves the build cache: together they went over 1 GiB. The runner still serves
    the next build."""
    seen = run_fresh(BUILDS, str(tmp_path / "site"))
    assert seen["workers"] == [0, 0]
    first, second = seen["rendered"]
    assert first >= 32 and second == first, "the second build did not render every page"


def test_a_fragment_another_build_logged_is_not_used() -> None:
    """A pool's log outlives one build: what an earlier build's workers logged is
    not this build's card, though its key is the same."""
    log = parallel.SharedLog(2)
    kind = ("partials/card.html", ())
    try:
        earlier, later = SharedFragments(log, new_token()), SharedFragments(log, new_token())
        log.region = 0
        earlier.put(kind, "a.md", Markup("<p>as it was</p>"), ("card.html",))
        log.region = 1
        assert later.get(kind, "a.md") is None
        later.put(kind, "a.md", Markup("<p>as it is</p>"), ("card.html",))
        log.region = 0
        assert earlier.get(kind, "a.md") == (Markup("<p>as it was</p>"), ("card.html",))
    finally:
        log.close()


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderSetup, list[Page]]:
    site = tmp_path_factory.mktemp("lean") / "site"
    write_fixture_site(site, 24)
    config = load_config(site)
    plan = plan_site(config)
    store = Cache(config.cache_dir, []).store(load_settings(config))
    setup = RenderSetup(config, RenderIndex(plan.articles, site_infos(config, plan.index)), store,
                        new_token())
    return setup, plan_pages(plan.index, config)


def test_workers_are_sent_the_articles_left_in_the_store(
    planned: tuple[RenderSetup, list[Page]],
) -> None:
    setup, pages = planned
    lean = pickle.loads(pickle.dumps(setup))
    assert isinstance(lean.index.articles, StoredArticles)
    assert list(lean.index.articles) == list(setup.index.articles)
    assert replace(lean.index, articles={}) == replace(setup.index, articles={})
    here, there = renderer_for(setup), renderer_for(lean)
    for page in pages:
        assert there.render(page) == here.render(page), page.url


class Counted(Mapping[str, Article]):
    """Articles by id, counting how many a render asked for."""

    def __init__(self, articles: Mapping[str, Article]) -> None:
        self.articles = articles
        self.asked: list[str] = []

    def __getitem__(self, article_id: str) -> Article:
        self.asked.append(article_id)
        return self.articles[article_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)


def test_a_list_whose_cards_were_rendered_reads_no_article(
    planned: tuple[RenderSetup, list[Page]],
) -> None:
    setup, pages = planned
    articles = Counted(setup.index.articles)
    renderer = renderer_for(replace(setup, index=replace(setup.index, articles=articles)))
    home = next(page for page in pages if page.url == "/")
    first = renderer.render(home)
    assert articles.asked, "the first rendering reads the articles its cards show"
    articles.asked.clear()
    assert renderer.render(home) == first
    assert articles.asked == []
