"""The theme's words in the site's language, from gettext catalogs read with Babel.

Templates write `{{ _("Tags") }}`; a catalog `locale/<language>/LC_MESSAGES/
messages.po` translates it. Catalogs are looked up in the site's `locale/`, then
the theme's, then the built-in theme's, for the site's language tag (`pt-BR` as
`pt_BR`), then its language alone (`pt`); the first that has a word wins, and a
word no catalog has is shown as written (English).
"""

from __future__ import annotations

import functools
import gettext
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .digests import digest
from .errors import FolioError, display_path
from .theme_paths import builtin_theme, theme_dir

CATALOG = Path("LC_MESSAGES") / "messages.po"


@dataclass(frozen=True, slots=True)
class Words:
    """The catalogs one site's pages are written with."""

    translations: gettext.NullTranslations
    """What `_` and `ngettext` look words up in."""
    digest: str
    """Digest of every catalog used: a page's key holds it, so an edit re-renders."""


def locale_folders(config: Config) -> list[Path]:
    """Where catalogs of the theme's words are looked up, the one that wins first."""
    themes = dict.fromkeys([theme_dir(config), builtin_theme()])
    return [config.site_dir / "locale", *(theme / "locale" for theme in themes)]


def site_words(config: Config, language: str = "") -> Words:
    """The words of `config`'s site in `language` ("" for the site's own); parsed again
    only when a catalog changed."""
    folders = tuple(locale_folders(config))
    tag = language or config.language
    return _site_words(tag, folders, config.site_dir,
                       digest(*(path.read_bytes() for path in catalog_paths(tag, folders))))


@functools.cache
def _site_words(language: str, folders: tuple[Path, ...], site_dir: Path,
                catalogs: str) -> Words:
    """`catalogs`, their digest, keys the cache: `folio serve` builds in one process."""
    return load_words(language, folders, site_dir)


def catalogs_digest(config: Config) -> str:
    """Digest of every catalog `config`'s site may be written with (a story may be in
    any language), read but not parsed."""
    found = sorted((f"{place}/{path.relative_to(folder).as_posix()}", path)
                   for place, folder in enumerate(locale_folders(config))
                   for path in folder.glob(f"*/{CATALOG.as_posix()}"))
    return digest(*(f"{name}\0".encode() + path.read_bytes() for name, path in found))


def catalog_paths(language: str, locale_folders: Iterable[Path]) -> list[Path]:
    """The catalogs for `language` that exist, the one that wins first."""
    tag = language.replace("-", "_")
    names = list(dict.fromkeys([tag, tag.split("_")[0]]))
    return [path for folder in locale_folders for name in names
            if (path := folder / name / CATALOG).is_file()]


def load_words(language: str, locale_folders: Iterable[Path], site_dir: Path) -> Words:
    """The words for `language`; FolioError naming the file and line of a broken catalog."""
    paths = catalog_paths(language, locale_folders)
    if not paths:
        return Words(gettext.NullTranslations(), "")
    sources = [(path, _read(path, site_dir)) for path in paths]
    chain = [_translations(path, data, site_dir) for path, data in sources]
    for better, fallback in itertools.pairwise(chain):
        better.add_fallback(fallback)
    return Words(chain[0], digest(*(data for _, data in sources)))


def _read(path: Path, site_dir: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FolioError(f"{display_path(path, site_dir)}: cannot be read: "
                         f"{exc.strerror or exc}") from None


def _translations(path: Path, data: bytes, site_dir: Path) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo  # only sites with a catalog pay for Babel
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as exc:
        raise FolioError(f"{display_path(path, site_dir)}, line {exc.lineno + 1}: not a "
                         "valid gettext catalog: expected msgid \"…\" and msgstr \"…\" "
                         "lines") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise FolioError(f"{display_path(path, site_dir)}: not a valid gettext catalog "
                         f"({exc})") from None
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
