"""Problems found in a user's files, collected and reported together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ContentError:
    """One mistake in one file, phrased for the person who wrote the file."""

    path: str
    """The file, relative to the site folder when it lies inside it."""
    message: str
    """What is wrong and what was expected."""
    line: int | None = None
    """1-based line number, when it is known."""
    field: str | None = None
    """The front-matter field or config key at fault, dotted for nested ones."""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}"


def field_error(path: str, lines: Mapping[str, int], field: str, message: str) -> ContentError:
    """An error about front-matter `field` (e.g. "photo.src", "tags[2]") on its key's line."""
    top = field.split(".")[0].split("[")[0]
    return ContentError(path, message, line=lines.get(top), field=field)


class FolioError(Exception):
    """A failure that stops a command; its text is shown to the user as is."""

    exit_code = 1


class ContentErrors(FolioError):
    """Every content mistake a build found, in a stable order."""

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = tuple(sorted(errors, key=lambda e: (e.path, e.line or 0, str(e))))
        count = len(self.errors)
        heading = f"{count} error{'s' if count != 1 else ''} found:"
        super().__init__("\n".join([heading, *(f"  {e}" for e in self.errors)]))


def os_error_text(exc: OSError) -> str:
    """One line for an OS error: the path (or both of a rename) and the reason."""
    paths = " -> ".join(str(path) for path in (exc.filename, exc.filename2) if path)
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{paths}: {reason}" if paths else reason


@contextmanager
def step(name: str) -> Iterator[None]:
    """Report an OS error raised inside as one line naming the step `name` and the path."""
    try:
        yield
    except OSError as exc:
        raise FolioError(f"{name} failed: {os_error_text(exc)}") from None


@contextmanager
def naming(path: object) -> Iterator[None]:
    """OS errors raised inside that name no file (a write, a close) name `path`."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise


class UsageError(FolioError):
    """The command was called wrongly (bad flag value, missing site folder)."""

    exit_code = 2


def display_path(path: Path, root: Path) -> str:
    """`path` relative to `root` when inside it, else as given."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
