"""Where on this machine a target writes, and the one check that keeps it out of the site.

Publishing into the site folder would overwrite its sources (content/ full of
HTML, built pages taken for template overrides) and, with --delete, remove
them; publishing into a folder that holds the site would do the same from
above. Folders are compared by their real paths, symlinks resolved, so a link
that leads into content/ is refused like content/ itself. Every kind of target
that can write on this machine goes through `check_outside_site`: folders, and
rsync over ssh to this machine. A git push only adds commits to a repository
(the site's own one is a normal choice), and S3 is never local.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..engine.write import previous_tree
from ..site.config import Config
from ..site.publish_targets import Kind, PublishError, PublishTarget, is_local_path


def check_outside_site(target: PublishTarget, config: Config) -> None:
    """Refuse a target that writes inside the site folder (or its output) or holds it."""
    folder = local_folder(target, config.site_dir)
    if folder is None:
        return
    real = folder.resolve()
    shown = str(folder) if real == folder else f"{folder} (really {real})"
    for what, kept in _kept_folders(config):
        place = "is" if real == kept else "is inside" if real.is_relative_to(kept) else "holds"
        if real.is_relative_to(kept) or kept.is_relative_to(real):
            raise PublishError(
                target, f"{shown} {place} {what} {kept}; publish to a folder outside it"
            )


def local_folder(target: PublishTarget, site_dir: Path) -> Path | None:
    """The folder on this machine `target` writes into; None when it writes elsewhere."""
    if target.kind is Kind.DIRECTORY:
        return directory_path(target.url, site_dir)
    parts = urlsplit(target.url)
    if target.kind is Kind.RSYNC and parts.scheme.lower() == "ssh" and _is_this_machine(
        parts.hostname or ""
    ):
        return Path(unquote(parts.path))
    return None


def directory_path(url: str, site_dir: Path) -> Path:
    """The folder a directory target names; relative ones start at the site folder."""
    path = url if is_local_path(url) else unquote(urlsplit(url).path)
    return site_dir / Path(path).expanduser()


def _kept_folders(config: Config) -> list[tuple[str, Path]]:
    return [
        ("the site folder", config.site_dir.resolve()),
        ("the output folder", config.output_dir.resolve()),
        ("the previous build", previous_tree(config.output_dir).resolve()),
        ("the cache folder", config.cache_dir.resolve()),
    ]


def _is_this_machine(host: str) -> bool:
    if host.lower() in ("localhost", socket.gethostname().lower()):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
