"""Shared helpers: make real sites in temporary folders, run the real CLI, read the output."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from PIL import Image

from generator.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T12:00:00+00:00"
CONFIG = """\
title = "Test Gazette"
base_url = "https://gazette.example.org/"
timezone = "America/New_York"
per_page = 5
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_folio(*args: str | Path) -> Result:
    """Run `folio ARGS` in this process, as the console script would."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


def article(body: str = "Body text.", **fields: Any) -> str:
    """Markdown source of an article; required fields get defaults unless given (None drops)."""
    meta: dict[str, Any] = {
        "title": "A headline",
        "byline": ["Jane Reporter"],
        "date": "2020-05-01T09:30:00-04:00",
    }
    meta.update(fields)
    meta = {k: v for k, v in meta.items() if v is not None}
    front_matter = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{front_matter}---\n{body}\n"


def make_site(root: Path, files: dict[str, str | bytes], config: str = CONFIG) -> Path:
    """A site folder with folio.toml and the given files under content/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "folio.toml").write_text(config, encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    for name, text in files.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root


def photo_bytes(width: int, height: int, kind: str = "JPEG") -> bytes:
    """A real image file: a colour gradient, so that resizing has detail to keep."""
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                Image.new("L", (width, height), 90)))
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def build(site: Path, *extra: str | Path) -> Result:
    return run_folio("build", "--site", site, "--now", NOW, "--quiet", *extra)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def site_factory(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1000))

    def factory(files: dict[str, str | bytes], config: str = CONFIG) -> Path:
        return make_site(tmp_path / f"site{next(counter)}", files, config)

    return factory


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium through Playwright, one for each test module that drives it."""
    from browser import chromium  # Playwright is loaded only where a browser is used

    with chromium() as launched:
        yield launched
