"""Processes a build starts end with it, however it ends (SIGKILL included)."""

from __future__ import annotations

import ctypes
import functools
import os
import signal
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when the process `parent` ends (Linux); end
    at once if it ended already, before this process could ask."""
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def child_dies_with_this_process() -> Callable[[], None]:
    """A `preexec_fn` for subprocess: the child is killed when this process ends."""
    return functools.partial(die_with_parent, os.getpid())


@functools.cache
def _prctl() -> Callable[..., int] | None:
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):
        return None
    return prctl
