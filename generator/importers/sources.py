"""Finding and reading input files: one file, or every matching file under a folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

SKIPPED_FOLDERS = frozenset(
    ["_site", "_includes", "_layouts", "_data", "node_modules", "vendor", "public", "output"]
)
"""Build output, templates and dependencies of the generators, never stories."""


def walk(source: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """`source` itself if it is a file, else its files ending in `suffixes`, in a stable order."""
    if not source.is_dir():
        yield source
        return
    for path in sorted(source.iterdir(), key=lambda p: p.name):
        if path.name.startswith("."):
            continue
        if path.is_dir() and not path.is_symlink() and path.name not in SKIPPED_FOLDERS:
            yield from walk(path, suffixes)
        elif path.is_file() and path.suffix.lower() in suffixes:
            yield path


def read_utf8(path: Path) -> tuple[str, str]:
    """The file's text and "", or "" and what stopped it being read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return "", f"cannot be read: {exc.strerror or exc}"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", f"line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
