"""Hostile and broken input: the corpus in tests/hostile/, one file per case.

tests/hostile/cases.toml says what each file must give. For every case a small good
site, built once, is copied; the case's file goes into its content/ and the site is
rebuilt. Whatever the file holds, the build:

- never ends in a traceback (an exception escaping `folio` counts as one);
- either fails with exit 1, an error line naming the file (and the field), and the
  previous output/ byte for byte, or succeeds with exit 0 and output in which no
  payload is live: no event-handler attribute, no script but JSON-LD data that
  parses, no javascript: link, every XML file well-formed, every JSON file valid;
- writes nothing but output/, .output.previous/ and .folio-cache/ in the site: the
  site's content and everything beside the site (where ../ and absolute paths aim)
  stay exactly as they were.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from conftest import NOW, REPO, Result, article, make_site, photo_bytes, run_folio, tree

CORPUS = Path(__file__).parent / "hostile"
CASES: dict[str, dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text("utf-8"))
GOOD: dict[str, str | bytes] = {
    "story.md": article(slug="story", tags=["Syria"]),
    "other.md": article("Other body.", title="Another headline", slug="other",
                        date="2020-05-02T10:00:00-04:00", tags=["Syria"],
                        aliases=["/2019/old-other/"]),
    "images/pic.jpg": photo_bytes(40, 30),
}
BUILT = {"output", ".output.previous", ".folio-cache"}
"""What a build may write in the site folder; nothing else may change anywhere."""
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "background", "cite",
                  "data", "longdesc", "manifest", "ping", "xlink:href", "srcset"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text", "data:application")
FORBIDDEN_ELEMENTS = ("iframe", "object", "embed", "base", "svg", "frame", "applet")
_MACRO = re.compile(rb"\{\{ ?(OUTSIDE|\(*b?[\"'].*?) ?\}\}")


# --- The corpus ----------------------------------------------------------------------------


def expand(data: bytes, outside: Path) -> bytes:
    """Replace the `{{OUTSIDE}}` and `{{ ("literal" * N + b"...") }}` macros of a corpus file."""
    def one(match: re.Match[bytes]) -> bytes:
        expression = match.group(1).decode("ascii")
        if expression == "OUTSIDE":
            return os.fsencode(outside)
        value = _evaluate(ast.parse(expression, mode="eval").body)
        return value if isinstance(value, bytes) else str(value).encode("utf-8")

    return _MACRO.sub(one, data)


def _evaluate(node: ast.expr) -> Any:
    """Literals joined by + and repeated by *: all a corpus file may compute."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add):
        left, right = _evaluate(node.left), _evaluate(node.right)
        return left * right if isinstance(node.op, ast.Mult) else left + right
    return ast.literal_eval(node)


@dataclass
class Case:
    name: str
    expect: str
    at: str = "story.md"
    errors: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    field: str | None = None
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    symlinks: dict[str, str] = dataclasses.field(default_factory=dict)
    config: str = ""
    text: dict[str, str] = dataclasses.field(default_factory=dict)
    select: dict[str, str] = dataclasses.field(default_factory=dict)
    reject: dict[str, str] = dataclasses.field(default_factory=dict)
    seconds: float | None = None

    def place(self, site: Path, outside: Path) -> str:
        """Write the case into the site; return its file as error lines show it."""
        data = expand((CORPUS / f"{self.name}.md").read_bytes(), outside)
        target = self._path(os.fsdecode(expand(self.at.encode("utf-8"), outside)), site, outside)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        for name, text in self.files.items():
            path = site / "content" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(photo_bytes(40, 30) if text == "@jpeg" else text.encode("utf-8"))
        for name, pointee in self.symlinks.items():
            link = site / "content" / name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.unlink(missing_ok=True)
            link.symlink_to(self._path(pointee, site, outside) if ":" in pointee else pointee)
        if self.config:
            self._configure(site / "folio.toml")
        return "content/" + target.relative_to(site / "content").as_posix() \
            if target.is_relative_to(site / "content") else ""

    def _configure(self, toml: Path) -> None:
        """Add the case's lines to folio.toml; a key it sets replaces the site's own."""
        keys = {line.split("=")[0].strip() for line in self.config.splitlines() if "=" in line}
        kept = [line for line in toml.read_text("utf-8").splitlines()
                if line.split("=")[0].strip() not in keys]
        toml.write_text("\n".join([*kept, self.config, ""]), "utf-8")

    @staticmethod
    def _path(name: str, site: Path, outside: Path) -> Path:
        if name.startswith("outside:"):
            return outside / name.removeprefix("outside:")
        return site / "content" / name


def load_cases() -> list[Any]:
    return [pytest.param(Case(name, **spec), id=name) for name, spec in CASES.items()]


def test_the_corpus_has_a_file_per_case_and_a_case_per_file() -> None:
    files = {path.stem for path in CORPUS.glob("*.md")}
    assert files == set(CASES), (files ^ set(CASES))
    assert len(CASES) >= 120
    assert {spec["expect"] for spec in CASES.values()} <= {"error", "ok", "error-or-ok"}


@pytest.mark.parametrize(("name", "size"), [("body-5-megabytes", 5_000_000),
                                            ("title-10000-characters", 10_000),
                                            ("nested-lists-2000", 4_000)])
def test_the_macros_make_the_big_cases_big(name: str, size: int, tmp_path: Path) -> None:
    assert len(expand((CORPUS / f"{name}.md").read_bytes(), tmp_path)) > size


# --- Running a case --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("good") / "site", GOOD)
    result = run_build(site)
    assert result.code == 0, result.err
    return site


def run_build(site: Path, seconds: float | None = None) -> Result:
    """`folio build`, in this process; an escaping exception becomes its traceback.

    With `seconds`, in a child process that is killed when time runs out.
    """
    args = ["build", "--site", str(site), "--now", NOW, "--quiet", "--jobs", "1"]
    if seconds is None:
        try:
            return run_folio(*args)
        except Exception:
            return Result(-1, "", traceback.format_exc())
    try:
        done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=REPO,
                              capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the build was still running after {seconds} s")
    decode = lambda data: data.decode("utf-8", "backslashreplace")  # noqa: E731
    return Result(done.returncode, decode(done.stdout), decode(done.stderr))


def snapshot(root: Path, site: Path) -> dict[str, object]:
    """Every file, link and folder under `root` (links not followed), but what builds write."""
    found: dict[str, object] = {}
    for folder, names, files in os.walk(root):
        here = Path(folder)
        if here == site:
            names[:] = [name for name in names if name not in BUILT]
            files = [name for name in files if name not in BUILT]
        for name in names + files:
            path = here / name
            key = os.fsencode(path.relative_to(root)).decode("utf-8", "backslashreplace")
            if path.is_symlink():
                found[key] = ("link", str(path.readlink()))
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = path.read_bytes()
    return found


@pytest.mark.parametrize("case", load_cases())
def test_hostile_input(case: Case, good_site: Path, tmp_path: Path) -> None:
    site, outside = tmp_path / "site", tmp_path / "outside"
    shutil.copytree(good_site, site, symlinks=True)
    outside.mkdir()
    (outside / "secret.md").write_text(article(title="Kept outside", slug="secret"), "utf-8")
    (outside / "secret.jpg").write_bytes(photo_bytes(40, 30))
    shown = case.place(site, outside)
    output, around = tree(site / "output"), snapshot(tmp_path, site)

    result = run_build(site, case.seconds)

    assert "Traceback" not in result.err, f"the build crashed:\n{result.err}"
    assert result.code in (0, 1), f"exit {result.code}:\n{result.err}"
    assert snapshot(tmp_path, site) == around, "the build wrote or changed files beside output/"
    expect = case.expect
    if expect == "error-or-ok":
        expect = "error" if result.code == 1 else "ok"
    if expect == "error":
        assert result.code == 1, f"expected an error, the build succeeded:\n{result.err}"
        assert tree(site / "output") == output, "a failed build changed output/"
        for spec in case.errors or [{"field": case.field}]:
            assert_error_line(result.err, spec.get("path", shown), spec)
        assert_one_line_per_error(result.err)
        return
    assert result.code == 0, f"exit {result.code}:\n{result.err}"
    assert_inert(site / "output")
    check_pages(site / "output", case)


def assert_error_line(err: str, path: str, spec: dict[str, Any]) -> None:
    """A line `path[:line]: [field: ]...says...` in `err`."""
    where = re.escape(path) if path else r"content/\S+"
    where += f":{spec['line']}" if spec.get("line") else r"(?::\d+)?"
    what = f"{re.escape(spec['field'])}: " if spec.get("field") else ""
    pattern = rf"^\s*{where}: {what}.*{re.escape(spec.get('says', ''))}"
    assert re.search(pattern, err, re.MULTILINE), f"no line like {pattern!r} in:\n{err}"


def assert_one_line_per_error(err: str) -> None:
    """The heading, then one line per error, each naming its file (no stray lines);
    folio.toml's errors name its line too."""
    lines = err.splitlines()
    assert lines and re.match(r"^\d+ errors? found:$", lines[0]), err
    strays = [line for line in lines[1:] if not re.match(r"^  (content/|folio\.toml:)", line)]
    assert not strays, f"lines that are not errors naming folio.toml or a file under content/: " \
                       f"{strays}"


def check_pages(output: Path, case: Case) -> None:
    for url, text in case.text.items():
        assert text in page(output, url).get_text(), f"{url} does not show {text!r}"
    for url, selector in case.select.items():
        assert page(output, url).select(selector), f"{url} has no {selector}"
    for url, selector in case.reject.items():
        assert not page(output, url).select(selector), f"{url} has {selector}"


def page(output: Path, url: str) -> BeautifulSoup:
    path = output / url.strip("/") / "index.html"
    assert path.is_file(), f"no page at {url}"
    return BeautifulSoup(path.read_bytes(), "html.parser")


# --- No live payload -------------------------------------------------------------------------


def assert_inert(output: Path) -> None:
    """No markup from front matter or bodies came alive in any page, feed or data file."""
    files = [p for p in output.rglob("*") if p.is_file() and not p.is_symlink()]
    assert any(p.name == "index.html" for p in files)
    for path in files:
        if path.suffix == ".html":
            assert_inert_html(path)
        elif path.suffix == ".xml":
            assert_inert_xml(path)
        elif path.suffix == ".json":
            json.loads(path.read_bytes())


def assert_inert_html(path: Path) -> None:
    data = path.read_bytes()
    assert b"<script>alert" not in data, path
    soup = BeautifulSoup(data, "html.parser")
    for element in soup.find_all(True):
        assert element.name not in FORBIDDEN_ELEMENTS, f"{path}: <{element.name}>"
        assert not (element.name == "img" and element.get("src") == "x"), f"{path}: {element}"
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), f"{path}: <{element.name}> has {name}"
            if name.lower() in URL_ATTRIBUTES:
                for url in (value.split(",") if name.lower() == "srcset" else [value]):
                    assert not runs_script(url), f"{path}: <{element.name} {name}={value!r}>"
        if element.name == "meta" and str(element.get("http-equiv", "")).lower() == "refresh":
            target = str(element.get("content", "")).partition("url=")[2]
            assert not runs_script(target), f"{path}: {element}"
    for script in soup.find_all("script"):
        if script.get("type") == "application/ld+json":
            # Data, not code: one JSON value, with no markup that could end the element.
            assert "<" not in script.get_text(), f"{path}: {script}"
            json.loads(script.get_text())
        else:
            assert "alert" not in script.get_text(), f"{path}: {script}"


def runs_script(url: str) -> bool:
    squeezed = re.sub(r"[\x00-\x20]", "", url).lower()
    return squeezed.startswith(SCRIPT_SCHEMES)


def assert_inert_xml(path: Path) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(path.read_bytes(), parser)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert etree.QName(element).localname.lower() != "script", f"{path}: {element.tag}"
        for name, value in element.attrib.items():
            local = etree.QName(name).localname.lower()
            assert not local.startswith("on"), f"{path}: {name}"
            if local in ("href", "src", "uri", "url"):
                assert not runs_script(value), f"{path}: {name}={value!r}"

