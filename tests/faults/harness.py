"""Fault injection for `folio build`, in the spirit of SQLite's I/O-error tests.

A fault point is a scenario (the state of the site before the build and the build's
`--jobs`) and a fault: an OSError at the N-th call of a kind of file operation
(inject/sitecustomize.py), a file size limit (RLIMIT_FSIZE, as `ulimit -f`, which
also reaches SQLite and Pagefind), or an immutable folder (`chattr +i`: root ignores
permissions). Each point builds a fresh copy of the fixture site, prepares the
scenario with real builds, runs the faulted build as a subprocess and checks what a
user would: exit 0 and output/ equal to a clean build's, or exit 1 with one line of
message naming a path and the cause, and output/ exactly as before; content/
untouched either way; and the next build without a fault equal to a clean build.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
INJECT = Path(__file__).resolve().parent / "inject"
PYTHON = REPO / ".venv" / "bin" / "python"
CODE = Path(os.environ.get("FOLIO_FAULTS_CODE", REPO))
"""The folder whose generator/ is built with (a snapshot of another commit, say)."""
NOW = "2026-11-27T12:00:00+00:00"
STORIES = 50
KINDS = ("open", "write", "rename", "link", "fsync", "mkdir", "copy", "remove")
ERRNOS = {"open": "EACCES", "write": "ENOSPC", "rename": "EIO", "link": "EMLINK",
          "fsync": "EIO", "mkdir": "EPERM", "copy": "ENOSPC", "remove": "EBUSY"}
"""The error each kind raises in the sweep: the ones a user meets there."""
TIMEOUT = 120
SITE_ENTRIES = ("folio.toml", "content")
Tree = dict[str, str]


# --- The fixture site and the scenarios ---------------------------------------------------


def write_site(root: Path) -> None:
    """≥ 50 stories with tags, GIF/PNG photos and a real JPEG on five; search on (the
    default); Folio's own settings only where tests/fixture_site.py puts them."""
    sys.path.insert(0, str(TESTS))
    from conftest import photo_bytes
    from fixture_site import write_fixture_site

    write_fixture_site(root, STORIES)
    (root / "content" / "images" / "scene.jpg").write_bytes(photo_bytes(900, 600))
    with_photos = [p for p in sorted((root / "content").rglob("*.md"))
                   if re.search(r"(?m)^  src: images/", p.read_text("utf-8"))]
    for path in with_photos[:5]:
        text = path.read_text("utf-8")
        path.write_text(re.sub(r"(?m)^  src: images/.*$", "  src: images/scene.jpg", text), "utf-8")
    assert "search" not in (root / "folio.toml").read_text("utf-8")


def _edit_story(site: Path) -> None:
    story = sorted((site / "content").rglob("*.md"))[3]
    with story.open("a", encoding="utf-8") as file:
        file.write("\nA paragraph added by the fault sweep.\n")


def _new_story(site: Path) -> None:
    (site / "content" / "late").mkdir(exist_ok=True)
    (site / "content" / "late" / "late-story.md").write_text(
        "---\ntitle: Late Story of the Sweep\nbyline: [Jane Reporter]\n"
        "date: 2024-06-12T10:15:00-04:00\ntags: [Syria, Fault Sweep]\n"
        "photo:\n  src: images/scene.jpg\n  alt: A scene\n"
        "---\nThe body of the late story.\n", "utf-8")


def _retitle(site: Path) -> None:
    config = site / "folio.toml"
    config.write_text(config.read_text("utf-8").replace(
        'title = "Fixture Gazette"', 'title = "Fixture Gazette, Fault Edition"'), "utf-8")


def _template(site: Path) -> None:
    templates = site / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "article.html").write_text(
        '{% extends "builtin/article.html" %}{% block main %}'
        '<p class="house-note">Staff-written.</p>{{ super() }}{% endblock %}\n', "utf-8")


@dataclass(frozen=True)
class Scenario:
    name: str
    built_first: bool
    """Whether a build ran before (output/ and .folio-cache/ exist)."""
    change: Callable[[Path], None] | None
    """The edit between that build and the faulted one."""


SCENARIOS = {
    "first": Scenario("first", False, None),
    "config": Scenario("config", True, _retitle),
    "template": Scenario("template", True, _template),
    "edit": Scenario("edit", True, _edit_story),
    "new": Scenario("new", True, _new_story),
}


# --- Faults ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """An injected OSError (`kind`, `nth`, `error`), a file size limit in bytes, or a
    folder of the site made immutable."""

    kind: str
    nth: int = 0
    error: str = ""
    persist: bool = False
    limit: int = 0
    folder: str = ""

    def __str__(self) -> str:
        if self.kind == "ulimit":
            return f"fsize:{self.limit}"
        if self.kind == "immutable":
            return f"chattr +i {self.folder}"
        return f"{self.kind}:{self.nth}:{self.error}" + (":persist" if self.persist else "")

    def spec(self) -> str:
        return str(self) if self.kind in KINDS else ""


def injected(kind: str, nth: int, persist: bool = False) -> Fault:
    return Fault(kind, nth, ERRNOS[kind], persist)


def size_limit(limit: int) -> Fault:
    """RLIMIT_FSIZE of `limit` bytes: `ulimit -f` counts KB."""
    return Fault("ulimit", limit=limit)


def immutable(folder: str) -> Fault:
    return Fault("immutable", folder=folder)


IMMUTABLE_FOLDERS = (".", ".folio-cache", "output", ".output.previous", ".folio-cache/photos")
"""Relative to the site folder: "." is output/'s parent."""


# --- Running and checking ----------------------------------------------------------------


@dataclass
class Outcome:
    scenario: str
    jobs: int
    fault: Fault
    code: int = 0
    message: str = ""
    problems: list[str] = field(default_factory=list)
    hit: str = ""
    """Where the injected fault fired (the call's path and generator/'s frame)."""
    stderr: str = ""
    """All the faulted build printed on stderr."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def reproducer(self) -> str:
        code = f"FOLIO_FAULTS_CODE={CODE} " if CODE != REPO else ""
        return (f"{code}{PYTHON} {REPO / 'tests/faults/sweep.py'} --only "
                f"'{self.scenario}/{self.jobs}/{self.fault}'")


def folio(site: Path, jobs: int, *extra: str) -> list[str]:
    return [str(PYTHON), "-m", "generator", "build", "--site", str(site), "--now", NOW,
            "--jobs", str(jobs), "--quiet", *extra]


def run_build(site: Path, jobs: int, fault: Fault | None = None, count_file: Path | None = None,
              hit_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLIO_FAULT")}
    env.pop("SOURCE_DATE_EPOCH", None)
    injecting = (fault and fault.spec()) or count_file
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(INJECT) if injecting else "", str(CODE), env.get("PYTHONPATH")]))
    if fault and fault.spec():
        env["FOLIO_FAULT"] = fault.spec()
    if count_file:
        env["FOLIO_FAULT_COUNT"] = str(count_file)
    if hit_file:
        env["FOLIO_FAULT_HIT"] = str(hit_file)
    limit = fault.limit if fault and fault.kind == "ulimit" else 0

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    # A session of its own: a build that hangs is killed with its workers and Pagefind.
    # Run beside the site, not in the checkout: a failing build may leave files in its
    # working folder (tempfile probes it when every temporary folder fails).
    with subprocess.Popen(folio(site, jobs), cwd=site.parent, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, start_new_session=True,
                          preexec_fn=limit_file_size if limit else None) as child:
        try:
            out, err = child.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            raise
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def tree(folder: Path) -> Tree:
    """Every file (digest of its bytes), link and folder under `folder`, by relative path."""
    found: Tree = {}
    if not folder.exists():
        return found
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = "-> " + str(path.readlink())
        elif path.is_dir():
            found[name + "/"] = ""
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def differences(got: Tree, want: Tree, limit: int = 3) -> str:
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    changed = sorted(name for name in set(got) & set(want) if got[name] != want[name])
    parts = [f"{label} {len(names)} ({', '.join(names[:limit])})"
             for label, names in (("missing", missing), ("extra", extra), ("changed", changed))
             if names]
    return "; ".join(parts) or "none"


class Sweep:
    """Fault points over one fixture site: a pristine copy made once, and the clean
    output of every scenario's input, built once."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.pristine = scratch / "pristine"
        if not (self.pristine / "folio.toml").exists():
            shutil.rmtree(self.pristine, ignore_errors=True)
            write_site(self.pristine)
        self._clean: dict[str, Tree] = {}
        self._lock = threading.Lock()

    def fresh_site(self, name: str) -> Path:
        site = self.scratch / name
        _remove(site)
        site.mkdir(parents=True)
        for entry in SITE_ENTRIES:
            subprocess.run(["cp", "-a", str(self.pristine / entry), str(site / entry)],
                           check=True)
        return site

    def clean_output(self, scenario: Scenario) -> Tree:
        """What a build from nothing writes for the scenario's input after its change."""
        with self._lock:
            return self._clean.get(scenario.name) or self._build_clean(scenario)

    def _build_clean(self, scenario: Scenario) -> Tree:
        if scenario.name not in self._clean:
            site = self.fresh_site(f"clean-{scenario.name}")
            if scenario.change:
                scenario.change(site)
            result = run_build(site, 1)
            assert result.returncode == 0, f"clean build of {scenario.name}: {result.stderr}"
            self._clean[scenario.name] = tree(site / "output")
            _remove(site)
        return self._clean[scenario.name]

    def prepared(self, scenario: Scenario, name: str) -> Path:
        site = self.fresh_site(name)
        if scenario.built_first:
            result = run_build(site, 1)
            assert result.returncode == 0, f"preparing {scenario.name}: {result.stderr}"
        if scenario.change:
            scenario.change(site)
        return site

    def count(self, scenario: Scenario, jobs: int) -> dict[str, int]:
        """Calls of each kind the building process makes in the scenario's build."""
        site = self.prepared(scenario, f"count-{scenario.name}-{jobs}")
        counts = site.parent / f"{site.name}.counts"
        counts.unlink(missing_ok=True)
        result = run_build(site, jobs, count_file=counts)
        assert result.returncode == 0, result.stderr
        main = [json.loads(line) for line in counts.read_text().splitlines()]
        counts.unlink()
        _remove(site)
        return next(r["counts"] for r in main if r["role"] == "main")

    def largest_file(self, scenario: Scenario) -> int:
        """Bytes of the largest file the scenario's build leaves in the site folder."""
        site = self.prepared(scenario, f"largest-{scenario.name}")
        assert run_build(site, 1).returncode == 0
        largest = max(p.stat().st_size for p in site.rglob("*") if p.is_file())
        _remove(site)
        return largest

    def try_point(self, scenario: Scenario, jobs: int, fault: Fault, slot: str = "run") -> Outcome:
        """Run one fault point and check everything the issue asks."""
        outcome = Outcome(scenario.name, jobs, fault)
        clean = self.clean_output(scenario)
        site = self.prepared(scenario, slot)
        before, content = tree(site / "output"), _inputs(site)
        hit_file = site.parent / f"{slot}.hit"
        hit_file.unlink(missing_ok=True)
        try:
            with _frozen(site, fault.folder if fault.kind == "immutable" else None):
                result = run_build(site, jobs, fault, hit_file=hit_file)
        except subprocess.TimeoutExpired:
            outcome.code, outcome.problems = -1, [f"no end within {TIMEOUT} s"]
            return outcome
        outcome.code, outcome.stderr = result.returncode, result.stderr
        outcome.hit = _hit(hit_file)
        outcome.problems = _judged(result, tree(site / "output"), before, clean, fault, outcome)
        if fault.spec() and not outcome.hit:
            outcome.problems.append(f"the fault never fired: the build made fewer calls "
                                    f"of {fault.kind}")
        if _inputs(site) != content:
            outcome.problems.append("content/ or folio.toml changed")
        again = run_build(site, jobs)
        if again.returncode != 0:
            outcome.problems.append(f"next build failed: exit {again.returncode}: "
                                    f"{_first_lines(again.stderr)}")
        elif (after := tree(site / "output")) != clean:
            outcome.problems.append(f"next build differs from a clean build: "
                                    f"{differences(after, clean)}")
        if outcome.ok:
            _remove(site)
        return outcome


def _judged(result: subprocess.CompletedProcess[str], output: Tree, before: Tree, clean: Tree,
            fault: Fault, outcome: Outcome) -> list[str]:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    outcome.message = lines[-1] if lines else ""
    if "Traceback" in result.stderr:
        return [f"traceback: {_first_lines(result.stderr, last=True)}"]
    if result.returncode == 0:
        if output != clean:
            return [f"exit 0 but output/ differs from a clean build: {differences(output, clean)}"]
        return []
    problems = []
    if result.returncode != 1:
        problems.append(f"exit {result.returncode}, not 1")
    if len(lines) != 1:
        problems.append(f"{len(lines)} lines on stderr, not 1: {_first_lines(result.stderr)}")
    elif not _names_a_path(lines[0]):
        problems.append(f"message names no path: {lines[0]!r}")
    elif fault.error and os.strerror(getattr(errno, fault.error)).lower() not in lines[0].lower():
        problems.append(f"message does not give the cause "
                        f"({os.strerror(getattr(errno, fault.error))}): {lines[0]!r}")
    if output != before:
        problems.append(f"output/ changed by a failed build: {differences(output, before)}")
    return problems


def _names_a_path(line: str) -> bool:
    return bool(re.search(r"/|\b(output|content|folio\.toml|pagefind)\b|\.folio-cache", line))


def _first_lines(text: str, count: int = 2, last: bool = False) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:] if last else lines[:count])


def _hit(hit_file: Path) -> str:
    if not hit_file.exists():
        return ""
    record = json.loads(hit_file.read_text().splitlines()[0])
    hit_file.unlink()
    path = record["path"] or ""
    return f"{record['where']} {Path(path).name if path else ''}".strip()


def _inputs(site: Path) -> Tree:
    return {**tree(site / "content"), "folio.toml": tree(site).get("folio.toml", "")}


@contextmanager
def _frozen(site: Path, folder: str | None) -> Iterator[None]:
    """`folder` of the site made immutable for the duration (root ignores chmod)."""
    if folder is None:
        yield
        return
    path = site / folder
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True, capture_output=True)


def _remove(site: Path) -> None:
    if site.exists():
        subprocess.run(["chattr", "-R", "-i", str(site)], capture_output=True, check=False)
        shutil.rmtree(site)
