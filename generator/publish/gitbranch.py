"""Publish to a git branch, GitHub Pages style, without touching any working tree.

As with ghp-import, the site becomes one commit on a branch (default gh-pages)
whose tree is output/ plus an empty `.nojekyll` (without it GitHub Pages runs
Jekyll, which drops files whose names start with '_') and, when `cname` is
set, a CNAME file; the commit is pushed to the repository. Unlike ghp-import,
nothing happens in the user's own repository, its working tree, index or
branches: commits are made in a bare repository under the site's cache folder
with git plumbing on a temporary index (GIT_INDEX_FILE): read-tree of the
branch's tip, hash-object and update-index for what changed, write-tree,
commit-tree, push. The parent is the branch's tip on the remote (fetched with
depth 1), so the branch keeps its history, and a publish that would change
nothing makes no commit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..site.publish_targets import PublishError, PublishTarget, is_local_path, telling_line
from .plan import Changes, Job, LocalFile, compare

_ZERO = "0" * 40
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "Folio",
    "GIT_AUTHOR_EMAIL": "folio@localhost",
    "GIT_COMMITTER_NAME": "Folio",
    "GIT_COMMITTER_EMAIL": "folio@localhost",
}


@dataclass(frozen=True, slots=True)
class _Git:
    """Runs git on one target's bare store and turns its failures into PublishErrors."""

    store: Path
    """The bare repository the commits are made in."""
    env: Mapping[str, str]
    """The environment git runs in: ssh command and, when git has none, an identity."""
    target: PublishTarget
    """The target, named in errors."""

    def __call__(
        self, *args: str, doing: str, stdin: bytes = b"", index: Path | None = None
    ) -> str:
        result = self.run(args, stdin, index)
        if result.returncode != 0:
            reason = telling_line(result.stderr.decode(errors="replace"), "git gave no reason")
            raise PublishError(self.target, f"{doing}: {reason}")
        return result.stdout.decode(errors="surrogateescape")

    def run(
        self, args: tuple[str, ...], stdin: bytes = b"", index: Path | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        env = {**self.env, "GIT_INDEX_FILE": str(index)} if index else self.env
        command = ["git", "--git-dir", str(self.store), *args]
        return subprocess.run(command, input=stdin, capture_output=True, env=env, check=False)


def publish(job: Job) -> Changes:
    if shutil.which("git") is None:
        raise PublishError(job.target, "git is not installed here; install git")
    repository = _repository(job)
    git = _Git(_store(job, repository), _environment(job.target), job.target)
    branch = job.target.branch
    tip = _remote_tip(git, repository, branch)
    remote = _tree(git, tip) if tip else {}
    with tempfile.TemporaryDirectory() as scratch:
        files = _with_extras(job, Path(scratch))
        changes = compare(files, remote, _same_blob, job.target.delete)
        if not job.dry_run and not changes.is_empty:
            commit = _commit(git, tip, changes, Path(scratch, "index"))
            git(
                "push", "--quiet", repository, f"{commit}:refs/heads/{branch}",
                doing=f"the push to {repository} {branch} was refused",
            )
    return changes


def _repository(job: Job) -> str:
    """The git+ URL less its prefix; a relative path starts at the site folder."""
    location = job.target.url.removeprefix("git+")
    if is_local_path(location):
        return str(job.site_dir.absolute() / Path(location).expanduser())
    return location


def _store(job: Job, repository: str) -> Path:
    name = hashlib.sha256(repository.encode()).hexdigest()[:16]
    store = job.cache_dir / "publish" / f"{name}.git"
    if not (store / "HEAD").is_file():
        store.mkdir(parents=True, exist_ok=True)
        command = ["git", "init", "--bare", "--quiet", str(store)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            reason = telling_line(result.stderr, "git gave no reason")
            raise PublishError(job.target, f"cannot make {store}: {reason}")
    return store


def _environment(target: PublishTarget) -> dict[str, str]:
    env = dict(os.environ)
    if target.ssh_command:
        env["GIT_SSH_COMMAND"] = target.ssh_command
    ident = subprocess.run(
        ["git", "var", "GIT_COMMITTER_IDENT"], capture_output=True, env=env, check=False
    )
    return env if ident.returncode == 0 else {**_FALLBACK_IDENTITY, **env}


def _remote_tip(git: _Git, repository: str, branch: str) -> str | None:
    """The branch's commit on the remote, fetched into the store; None when it has none yet."""
    heads = f"refs/heads/{branch}"
    listed = git("ls-remote", repository, heads, doing="cannot reach the repository")
    if not listed.strip():
        return None
    tip = listed.split()[0]
    if git.run(("cat-file", "-e", f"{tip}^{{commit}}")).returncode != 0:
        git(
            "fetch", "--quiet", "--depth=1", "--no-tags", repository, f"refs/heads/{branch}",
            doing=f"cannot fetch {branch} from {repository}",
        )
    return tip


def _tree(git: _Git, commit: str) -> dict[str, str]:
    """Path -> blob id of every file in `commit`."""
    listing = git("ls-tree", "-r", "-z", "--full-tree", commit, doing="cannot read the branch")
    entries = {}
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        entries[path] = meta.split()[2]
    return entries


def _with_extras(job: Job, scratch: Path) -> tuple[LocalFile, ...]:
    """The site's files plus .nojekyll and, when set, CNAME (written into `scratch`)."""
    extras = {".nojekyll": "", **({"CNAME": f"{job.target.cname}\n"} if job.target.cname else {})}
    made = []
    for name, text in extras.items():
        path = scratch / name
        path.write_text(text, encoding="utf-8")
        made.append(LocalFile(name, path, path.stat().st_size))
    kept = [f for f in job.files if f.path not in extras]
    return tuple(sorted([*kept, *made], key=lambda f: f.path))


def _same_blob(file: LocalFile, blob: str) -> bool:
    digest = hashlib.sha1(f"blob {file.size}\0".encode(), usedforsecurity=False)
    digest.update(file.source.read_bytes())
    return digest.hexdigest() == blob


def _commit(git: _Git, tip: str | None, changes: Changes, index: Path) -> str:
    git("read-tree", *([tip] if tip else ["--empty"]), doing="cannot read the branch", index=index)
    paths = b"".join(os.fsencode(f.source) + b"\n" for f in changes.uploads)
    blobs = git("hash-object", "-w", "--no-filters", "--stdin-paths", stdin=paths,
                doing="cannot store the files").split()
    entries = [
        *(b"100644 %s\t%s\0" % (blob.encode(), os.fsencode(f.path))
          for blob, f in zip(blobs, changes.uploads, strict=True)),
        *(b"0 %s\t%s\0" % (_ZERO.encode(), os.fsencode(path)) for path in changes.deletions),
    ]
    git("update-index", "-z", "--index-info", stdin=b"".join(entries),
        doing="cannot stage the files", index=index)
    tree = git("write-tree", doing="cannot write the tree", index=index).strip()
    parent = ["-p", tip] if tip else []
    message = (
        f"Publish the site with Folio ({len(changes.uploads)} uploaded, "
        f"{len(changes.deletions)} deleted)"
    )
    commit = git("commit-tree", tree, *parent, "-m", message, doing="cannot commit").strip()
    git("update-ref", f"refs/heads/{git.target.branch}", commit, doing="cannot record the commit")
    return commit
