"""One Markdown file as loading gives it: the article, the facts of the files it was
made from, and the digests that tell what an edit of it changes."""

from __future__ import annotations

from dataclasses import dataclass

from .digests import digest
from .errors import ContentError
from .model import Article, ArticleHead, pickled_by_fields
from .sources import FileFacts

Depends = tuple[tuple[str, FileFacts | None], ...]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class LoadedFile:
    """One Markdown file as a build loaded it."""

    facts: FileFacts
    """The file when it was read."""
    depends_on: Depends
    """Other files the article was made from (its photo, body images), with their facts then."""
    article: Article
    """The article it gave."""
    warnings: tuple[ContentError, ...]
    """Warnings it gave."""
    content: str
    """Digest of the file's bytes as read."""
    digest: str
    """`article_digest` of the article."""
    shape: str
    """`shape` of the article: what it contributes to the set and order of pages."""


def article_digest(article: Article) -> str:
    """Digest of everything an article is; equal digests, equal article."""
    # repr, not pickle: pickle's bytes depend on which equal objects are shared.
    return digest(repr(article))


def shape(head: ArticleHead, depends_on: Depends) -> str:
    """Digest of what an article contributes to the set and order of pages: its head,
    and the files it was made from (its photo). Two versions of the same shape give
    the same plan, so an edit of anything else (a body, a dek) reuses the last plan
    (`plan.msgpack`) and renders only the pages that show the article."""
    return digest(repr(head), repr(depends_on))
