"""`folio publish`: choose and check the target, check (or build) the site, hand it over."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..engine.build import build
from ..site.config import Config
from ..site.errors import FolioError
from ..site.progress import Progress
from ..site.publish_targets import Kind, choose_target
from .local import check_outside_site
from .plan import Changes, Job, report, site_files


def publish_site(
    config: Config, given: str | None, *, dry_run: bool, delete: bool | None, build_first: bool
) -> int:
    """Publish `config.output_dir` to the target `given` names; print what was done."""
    target = choose_target(config.publish, given, delete)
    check_outside_site(target, config)
    progress = Progress()
    if build_first:
        built = build(config, progress)
        for warning in built.warnings:
            print(f"Warning: {warning}", file=sys.stderr)
        print(built)
    job = Job(
        target=target,
        files=site_files(config.output_dir),
        output_dir=config.output_dir,
        site_dir=config.site_dir,
        cache_dir=config.cache_dir,
        dry_run=dry_run,
        progress=progress,
    )
    changes = _publisher(target.kind)(job)
    for line in report(target, changes, dry_run):
        print(line)
    return 0


def _publisher(kind: Kind) -> Callable[[Job], Changes]:
    """The `publish` function of the module for `kind`, imported only now."""
    if kind is Kind.DIRECTORY:
        from . import directory

        return directory.publish
    if kind is Kind.RSYNC:
        from . import rsync

        return rsync.publish
    if kind is Kind.GIT:
        from . import gitbranch

        return gitbranch.publish
    try:
        from . import s3
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("boto3", "botocore"):
            raise
        raise FolioError(
            "S3 targets need boto3, which is not installed: pip install 'folio[publish]'"
        ) from None
    return s3.publish
