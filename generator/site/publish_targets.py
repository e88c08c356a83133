"""Publishing targets: the `[publish.NAME]` tables of folio.toml, and command-line URLs.

The schema is declared once, as the fields of `PublishTarget`: each key's type,
default, documentation and the kinds of target it applies to. The kind follows
from `url`. Credentials never go in folio.toml (it is usually committed): S3
keys come from the standard AWS chain, ssh keys from ssh's own configuration.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ContentError, FolioError, UsageError


class Kind(StrEnum):
    """Where a target puts the site, told by its URL."""

    DIRECTORY = "directory"
    RSYNC = "rsync"
    GIT = "git"
    S3 = "s3"


_EVERY_KIND = frozenset(Kind)
_TELLING = (
    "rejected", "Permission denied", "Could not resolve", "Connection refused",
    "Connection timed out", "No route to host", "Host key verification failed",
    "does not appear to be", "not found", "No such file or directory", "@ERROR",
)
_CREDENTIAL_WORDS = ("secret", "password", "passwd", "token", "access_key", "credential")


def setting(doc: str, default: Any = MISSING, kinds: frozenset[Kind] = _EVERY_KIND) -> Any:
    """A key of a `[publish.NAME]` table: its documentation, default and kinds of target."""
    return field(default=default, metadata={"doc": doc, "kinds": kinds})


@dataclass(frozen=True, slots=True)
class PublishTarget:
    """One place the built site is published to."""

    name: str
    """NAME of its `[publish.NAME]` table, or the URL or folder given on the command line."""
    url: str = setting(
        "Where the site goes: a folder outside the site folder, ssh://[user@]host[:port]/path, "
        "rsync://host/module/path, git+REPOSITORY (any URL or path git can push to) "
        "or s3://bucket/prefix."
    )
    delete: bool = setting(
        "Delete what the target holds that output/ no longer has, after uploading the rest.",
        False,
    )
    ssh_command: str = setting(
        "Command (with options) that rsync and git run to reach an ssh host, "
        "e.g. \"ssh -i ~/.ssh/deploy_key\" (default: RSYNC_RSH / GIT_SSH_COMMAND, else ssh).",
        "",
        frozenset({Kind.RSYNC, Kind.GIT}),
    )
    branch: str = setting(
        "Branch the site is committed to.", "gh-pages", frozenset({Kind.GIT})
    )
    cname: str = setting(
        "Custom domain written to a CNAME file on the branch (GitHub Pages).",
        "",
        frozenset({Kind.GIT}),
    )
    endpoint_url: str = setting(
        "S3 API address of a store other than AWS, e.g. https://ACCOUNT.r2.cloudflarestorage.com "
        "(default: the AWS configuration, else AWS itself).",
        "",
        frozenset({Kind.S3}),
    )
    region: str = setting(
        "Region of the bucket (default: the AWS configuration).", "", frozenset({Kind.S3})
    )
    cache_control_html: str = setting(
        "Cache-Control of pages, feeds, sitemaps and other files whose URL stays the same "
        "when they change.",
        "public, max-age=300",
        frozenset({Kind.S3}),
    )
    cache_control_assets: str = setting(
        "Cache-Control of stylesheets, scripts and files copied from content/.",
        "public, max-age=3600",
        frozenset({Kind.S3}),
    )
    cache_control_immutable: str = setting(
        "Cache-Control of files whose name changes with their content: /photos/<digest>/ "
        "and Pagefind's index fragments.",
        "public, max-age=31536000, immutable",
        frozenset({Kind.S3}),
    )

    @property
    def kind(self) -> Kind:
        return kind_of(self.url)


KEYS = {f.name: f for f in fields(PublishTarget) if "kinds" in f.metadata}
_HINTS = typing.get_type_hints(PublishTarget)


class PublishError(FolioError):
    """Publishing to a target failed; the text names the target and the cause on one line."""

    def __init__(self, target: PublishTarget, cause: str) -> None:
        super().__init__(f"Publishing to {target.name} failed: {' '.join(cause.split())}")


def telling_line(output: str, fallback: str) -> str:
    """The line of a tool's error output that says why it failed, less its 'fatal: ' prefix."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    telling = [line for line in lines if any(hint in line for hint in _TELLING)]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:", "rsync error:"))]
    line = (telling or fatal or lines or [fallback])[0]
    for prefix in ("fatal: ", "error: ", "rsync: ", "ssh: "):
        line = line.removeprefix(prefix)
    return line


def kind_of(url: str) -> Kind:
    """The kind of target `url` names; ValueError saying what is wrong with it."""
    if url.startswith("git+"):
        _check_git(url[4:])
        return Kind.GIT
    if is_local_path(url):
        if not url.strip():
            raise ValueError("expected a folder, ssh://, rsync://, git+… or s3:// URL")
        return Kind.DIRECTORY
    if "://" not in url:
        raise ValueError("looks like host:path; write it as ssh://[user@]host/path")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if parts.password is not None:
        raise ValueError("a password does not belong in the URL; use keys or a credential store")
    if scheme == "s3":
        if not parts.hostname or "@" in parts.netloc:
            raise ValueError("expected s3://bucket or s3://bucket/prefix")
        return Kind.S3
    if scheme in ("ssh", "rsync"):
        if not parts.hostname or not parts.path.strip("/") or parts.port == 0:
            raise ValueError(f"expected {scheme}://[user@]host[:port]/path")
        return Kind.RSYNC
    if scheme == "file":
        _check_file(parts.netloc, parts.path)
        return Kind.DIRECTORY
    raise ValueError(
        f"unsupported scheme {scheme}://; use a folder, ssh://, rsync://, git+… or s3://"
    )


def _check_file(host: str, path: str) -> None:
    if host.lower() not in ("", "localhost"):
        raise ValueError(
            f"file:// names a folder on this machine, not on {host}; "
            "write file:///path, or ssh://host/path for another machine"
        )
    if not path.strip("/"):
        raise ValueError("expected file:///path/to/folder")


def _check_git(repository: str) -> None:
    if not repository.strip():
        raise ValueError("git+ needs a repository, e.g. git+ssh://git@github.com/org/site.git")
    if "://" in repository and urlsplit(repository).password is not None:
        raise ValueError("a password or token does not belong in the URL; use a credential helper")


def parse_targets(
    raw: Any, text: str, source: str
) -> tuple[tuple[PublishTarget, ...], list[ContentError]]:
    """The `[publish.NAME]` tables of `source` (whose text is `text`), or their mistakes."""
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        message = "expected one [publish.NAME] table per target, e.g. [publish.live]"
        return (), [ContentError(source, message, line=_line(text, ""), field="publish")]
    targets, errors = [], []
    for name, table in raw.items():
        problems = [
            ContentError(source, why, line=_line(text, name, key), field=f"publish.{name}.{key}")
            for key, why in _table_problems(table)
        ]
        errors.extend(problems)
        if not problems:
            targets.append(PublishTarget(name=name, **table))
    return tuple(targets), errors


def _table_problems(table: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for every mistake in one target's table."""
    problems = [(key, message) for key in table if (message := _key_problem(key, table[key]))]
    if "url" not in table:
        return [*problems, ("url", "is required: a folder, ssh://, rsync://, git+… or s3:// URL")]
    if not isinstance(table["url"], str):
        return problems
    try:
        kind = kind_of(table["url"])
    except ValueError as exc:
        return [*problems, ("url", str(exc))]
    misplaced = [
        (key, f"applies only to {' and '.join(sorted(KEYS[key].metadata['kinds']))} targets")
        for key in table
        if key in KEYS and kind not in KEYS[key].metadata["kinds"]
    ]
    return problems + misplaced + ([] if problems else _value_problems(table))


def _key_problem(key: str, value: Any) -> str | None:
    if any(word in key.lower() for word in _CREDENTIAL_WORDS):
        return (
            "credentials never go in folio.toml; S3 keys come from the AWS environment "
            "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials), "
            "ssh keys from ssh_command or ~/.ssh/config"
        )
    if key not in KEYS:
        return f"unknown setting; known settings are {', '.join(sorted(KEYS))}"
    expected = _HINTS[key]
    if not isinstance(value, expected):
        return f"expected {expected.__name__}, got {value!r}"
    return None


def _value_problems(table: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    endpoint = urlsplit(table.get("endpoint_url", "https://aws"))
    if endpoint.scheme not in ("http", "https") or not endpoint.netloc:
        problems.append(("endpoint_url", "expected an http(s) URL"))
    if not re.fullmatch(r"(?!-)(?!.*\.\.)[\w./-]+(?<![./])", table.get("branch", "gh-pages")):
        problems.append(("branch", "expected a branch name such as gh-pages"))
    if any(c.isspace() or c == "/" for c in table.get("cname", "")):
        problems.append(("cname", "expected a domain name such as news.example.org"))
    return problems


def _line(text: str, name: str, key: str | None = None) -> int | None:
    """Line of the `[publish.NAME]` header (or of `key` inside that table)."""
    quoted = rf"\.\s*[\"']?{re.escape(name)}[\"']?" if name else r"(\.|\s*\])"
    header = re.search(rf"^[ \t]*\[\s*publish\s*{quoted}", text, re.MULTILINE)
    if header is None:
        return None
    start = header.start()
    if key:
        end = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, header.end())
        line = re.compile(rf"^[ \t]*{re.escape(key)}\s*=", re.MULTILINE)
        match = line.search(text, header.end(), end.start() if end else len(text))
        start = match.start() if match else start
    return text.count("\n", 0, start) + 1


def choose_target(
    targets: Sequence[PublishTarget], given: str | None, delete: bool | None
) -> PublishTarget:
    """The target `folio publish [TARGET]` means, with --delete/--no-delete applied."""
    if given is None:
        target = _only_target(targets)
    else:
        named = next((t for t in targets if t.name == given), None)
        target = named or _from_command_line(targets, given)
    return target if delete is None else replace(target, delete=delete)


def _only_target(targets: Sequence[PublishTarget]) -> PublishTarget:
    if len(targets) == 1:
        return targets[0]
    names = ", ".join(t.name for t in targets)
    raise UsageError(
        f"name a target: folio.toml's [publish.NAME] tables are {names}; or give a folder or URL"
        if names
        else "give a folder or URL to publish to, or add a [publish.NAME] table to folio.toml"
    )


def _from_command_line(targets: Sequence[PublishTarget], given: str) -> PublishTarget:
    if not re.search(r"[/:.~]", given):
        names = ", ".join(t.name for t in targets) or "none"
        raise UsageError(
            f"no [publish.{given}] table in folio.toml (targets: {names}); "
            f"to publish to a folder of that name, write ./{given}"
        )
    try:
        kind = kind_of(given)
    except ValueError as exc:
        raise UsageError(f"publish target {given}: {exc}") from None
    if kind is Kind.DIRECTORY and is_local_path(given):
        return PublishTarget(name=given, url=_absolute(given))
    if kind is Kind.GIT and is_local_path(given[4:]):
        return PublishTarget(name=given, url=f"git+{_absolute(given[4:])}")
    return PublishTarget(name=given, url=given)


def is_local_path(location: str) -> bool:
    """Whether a folder or repository location is a path, not a URL nor scp-style host:path."""
    return "://" not in location and not re.match(r"^[^/]+:", location)


def _absolute(path: str) -> str:
    return str(Path(path).expanduser().absolute())
