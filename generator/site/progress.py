"""A one-line progress counter on a terminal; silent everywhere else."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


class Progress:
    """Counts work done; redraws at most ten times a second, only on a TTY."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.enabled = not quiet and self.stream.isatty() and not os.environ.get("CI")
        self.label = ""
        self.total = 0
        self.done = 0
        self._drawn_at = 0.0

    def say(self, line: str) -> None:
        """A line for the person waiting, unless quiet (on a terminal or not)."""
        if not self.quiet:
            self.stream.write(f"{line}\n")
            self.stream.flush()

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._draw(force=self.done >= self.total)

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _draw(self, force: bool) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._drawn_at < 0.1):
            return
        self._drawn_at = now
        width = 30
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
        self.stream.flush()
