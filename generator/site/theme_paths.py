"""Where the theme a site uses, and the built-in theme, live on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from .config import Config
from .errors import FolioError


def builtin_theme() -> Path:
    """The default theme: inside the installed package, or at the top of a checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "themes" / "default"
    return installed if installed.is_dir() else package.parent / "themes" / "default"


def theme_dir(config: Config) -> Path:
    """The folder of the theme `config.theme` names; raises when it does not exist."""
    candidate = config.site_dir / "themes" / config.theme
    if candidate.is_dir():
        return candidate
    if config.theme == "default":
        return builtin_theme()
    raise FolioError(f"folio.toml: theme: no folder themes/{config.theme} in {config.site_dir}")


def themes(config: Config) -> list[Path]:
    """The built-in theme, then the site's theme when it is another: later ones win."""
    return list(dict.fromkeys((builtin_theme(), theme_dir(config))))


def static_files(config: Config) -> Iterator[tuple[PurePosixPath, Path]]:
    """Built-in theme, theme, then the site's own static/ files (later ones win), as
    templates fall back from site to theme to the built-in theme."""
    for root in (*(theme / "static" for theme in themes(config)), config.site_dir / "static"):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    yield PurePosixPath(path.relative_to(root).as_posix()), path
