"""Publish with the system `rsync`, over ssh (ssh://) or to an rsync daemon (rsync://).

rsync compares checksums, not times (every build rewrites every file), sends
what differs, puts all of it in place at the end (--delay-updates) and, with
--delete, deletes stale files after that. Times are not copied, so a file the
web server already has keeps its Last-Modified. What rsync reports file by
file (--out-format) becomes the summary; a dry run is rsync's own --dry-run.
Without --keep-dirlinks, rsync replaces a symbolic link on the far side with
the folder or file output/ has there and never writes through it. An ssh URL
naming this machine is kept out of the site folder like a local folder
(local.check_outside_site); an rsync:// module's folder cannot be known here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from ..site.publish_targets import PublishError, PublishTarget, telling_line
from .plan import Changes, Job, LocalFile

_ITEM_WIDTH = 11  # rsync's %i field, e.g. "<f+++++++++" or "*deleting  "


def publish(job: Job) -> Changes:
    rsync = shutil.which("rsync")
    if rsync is None:
        raise PublishError(
            job.target,
            "rsync is not installed here; install it (Debian and Ubuntu: apt-get install rsync; "
            "macOS: brew install rsync)",
        )
    command = [rsync, *_options(job), f"{job.output_dir}/", _destination(job.target)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise PublishError(job.target, f"could not run rsync: {exc}") from None
    if result.returncode != 0:
        fallback = f"rsync exited with status {result.returncode}"
        raise PublishError(job.target, telling_line(result.stderr, fallback))
    return _changes(result.stdout.splitlines(), job.files, job.target.delete)


def _options(job: Job) -> list[str]:
    options = ["--recursive", "--links", "--checksum", "--compress", "--delay-updates",
               "--out-format=%i %n"]
    if job.target.delete:
        options += ["--delete", "--delete-after"]
    if job.dry_run:
        options.append("--dry-run")
    shell = _shell(job.target)
    return [*options, "--rsh", shell] if shell else options


def _shell(target: PublishTarget) -> str | None:
    """The remote shell command, with the URL's port; None leaves rsync's own default."""
    parts = urlsplit(target.url)
    command = target.ssh_command or os.environ.get("RSYNC_RSH", "")
    if parts.scheme == "ssh" and parts.port:
        return f"{command or 'ssh'} -p {parts.port}"
    return command or None


def _destination(target: PublishTarget) -> str:
    parts = urlsplit(target.url)
    if parts.scheme == "rsync":
        return target.url.rstrip("/") + "/"
    user = f"{parts.username}@" if parts.username else ""
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return f"{user}{host}:{unquote(parts.path).rstrip('/')}/"


def _changes(lines: Iterable[str], files: tuple[LocalFile, ...], delete: bool) -> Changes:
    by_path = {f.path: f for f in files}
    added: list[LocalFile] = []
    changed: list[LocalFile] = []
    deleted: list[str] = []
    for line in lines:
        item, path = line[:_ITEM_WIDTH], line[_ITEM_WIDTH + 1 :]
        if item.startswith("*deleting") and not path.endswith("/"):
            deleted.append(path)
        elif item[:2] in ("<f", ">f") and path in by_path:
            (added if "+++" in item else changed).append(by_path[path])
    unchanged = len(files) - len(added) - len(changed)
    return Changes(tuple(added), tuple(changed), unchanged, tuple(sorted(deleted)), delete)
