"""Article photos and body images: measured when content loads, resized when the site is built.

Loading reads only the header of each photo under content/ and a digest of its
bytes (`measure`), which fixes its size and the URL of every copy before
anything is rendered, so rendering stays a pure function of (page, index). The
build then makes the copies the cache lacks (`resize_photos`) and they are
copied into the site like any other file.

A photo W pixels wide gets a copy at each width of `image_widths` below W and
one at W, in WebP and in its own format; at W in its own format the original
file serves. Nothing is enlarged. GIFs and animated PNG or WebP files are used
only as they are: resizing would lose the animation or re-quantise a GIF's
palette. Copies live under /photos/<digest>/, the digest covering the file and
the encoder settings; they are cached in `Config.cache_dir` and hold no
metadata but the colour profile, so an unchanged photo is never resized twice
and every build writes the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

from . import urls
from .config import Config
from .errors import ContentError, ContentErrors
from .model import Article, Photo, Variant
from .progress import Progress
from .slugs import slugify

# Pillow is imported where a photo is opened: importing it outlasts a quick rebuild.
if TYPE_CHECKING:
    from PIL import Image

PHOTO_FOLDER = "photos"
"""Site folder of the resized copies, one sub-folder per photo digest."""
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
_ENCODER: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"compress_level": 9},
    "WEBP": {"quality": 80, "method": 4},
}
# Hashed with every photo, so that new encoder settings give new copies and URLs.
_RECIPE = f"folio-photos-1 {sorted(_ENCODER.items())!r}".encode()
_RGB_MODES = ("RGB", "RGBA", "P", "PA")
_WEBP_LIMIT = 16383  # pixels a WebP image may have along either side
_UNREADABLE = (OSError, ValueError, SyntaxError)
"""With Pillow's DecompressionBombError: what a damaged image file raises."""
_UNDESCRIBED = (
    "missing and there is no caption either; describe the photo for readers who cannot see it"
)


class PhotoError(Exception):
    """A photo file Folio cannot use; the message follows the file's name."""


def measure(photo: Photo, config: Config) -> Photo:
    """`photo` with its size and the URL of every copy; outside URLs are left as they are.

    Raises PhotoError when the file is not a JPEG, PNG, GIF or WebP image.
    """
    if photo.src is None or not photo.src.startswith("/"):
        return photo
    data = _read(_source_file(photo.src, config))
    kind, width, height, as_is = _header(data)
    original = Variant(photo.src, width, height, kind)
    if as_is:
        return replace(photo, width=width, height=height, variants=(original,))
    name = slugify(Path(unquote(photo.src)).stem) or "photo"
    own, webp = _copies(f"/{PHOTO_FOLDER}/{_digest(data)}/{name}", original, config.image_widths)
    return replace(
        photo, width=width, height=height, variants=(*own, original), webp_variants=webp
    )


def _copies(
    stem: str, original: Variant, widths: Iterable[int]
) -> tuple[tuple[Variant, ...], tuple[Variant, ...]]:
    """Resized copies in the photo's own format, and in WebP (none for a WebP photo)."""
    kind, width, height = original.format, original.width, original.height
    sizes = [(w, max(1, round(height * w / width))) for w in sorted(set(widths)) if w < width]
    own = tuple(Variant(f"{stem}-{w}.{_EXTENSIONS[kind]}", w, h, kind) for w, h in sizes)
    if kind == "WEBP":
        return own, ()
    webp = tuple(
        Variant(f"{stem}-{w}.webp", w, h, "WEBP")
        for w, h in [*sizes, (width, height)]
        if max(w, h) <= _WEBP_LIMIT
    )
    return own, webp


# What markdown.py writes for a body image besides its <img src>: copies a feed reader
# would see as site paths, relative to nothing it knows.
_PICTURE_PARTS = re.compile(r'<source type="image/webp" srcset="[^"]*" sizes="[^"]*">'
                            r'| srcset="[^"]*" sizes="[^"]*"')


def feed_pictures(body_html: str) -> str:
    """`body_html` with each body image reduced to its <img src>, for feeds."""
    return _PICTURE_PARTS.sub("", body_html) if "<picture>" in body_html else body_html


def photo_warnings(article: Article) -> list[ContentError]:
    """Problems that do not stop a build: a photo nothing describes to readers who cannot see it."""
    photo = article.photo
    if photo and photo.src and not photo.alt:  # alt already falls back to the caption
        return [article.error("photo.alt", _UNDESCRIBED)]
    return []


def _source_file(src: str, config: Config) -> Path:
    """The file under content/ that a local photo's site path names."""
    return config.content_dir / unquote(src).lstrip("/")


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise PhotoError(f"cannot be read ({exc.strerror})") from None


def _digest(data: bytes) -> str:
    digest = hashlib.sha256(_RECIPE)
    digest.update(data)
    return digest.hexdigest()[:16]


def _header(data: bytes) -> tuple[str, int, int, bool]:
    """Format, width and height as shown, and whether the file is used only as it is."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return _describe(image)
    except UnidentifiedImageError:
        raise PhotoError("is not an image; expected a JPEG, PNG, GIF or WebP file") from None
    except (*_UNREADABLE, Image.DecompressionBombError) as exc:
        raise PhotoError(f"cannot be read as an image ({exc})") from None


def _describe(image: Image.Image) -> tuple[str, int, int, bool]:
    kind = "JPEG" if image.format == "MPO" else str(image.format)  # MPO: a camera's JPEG
    if kind not in _EXTENSIONS:
        raise PhotoError(f"is a {kind} image; expected JPEG, PNG, GIF or WebP")
    width, height = image.size
    if _orientation(image) >= 5:  # turned a quarter: the camera held upright
        width, height = height, width
    animated = kind in ("PNG", "WEBP") and bool(getattr(image, "is_animated", False))
    return kind, width, height, kind == "GIF" or animated


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation of a JPEG (1: as stored); other formats are shown as stored."""
    from PIL import ExifTags

    if image.format not in ("JPEG", "MPO"):
        return 1
    value = image.getexif().get(ExifTags.Base.Orientation, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


class PhotoOwner(Protocol):
    """What shows a photo: an article, or an author's profile (site/people.py)."""

    @property
    def photo(self) -> Photo | None: ...

    @property
    def images(self) -> tuple[Photo, ...]:
        """Local images its body shows, measured."""

    def error(self, field: str, message: str) -> ContentError: ...


@dataclass(frozen=True, slots=True)
class _Job:
    """The copies of one photo that the cache lacks."""

    article: PhotoOwner
    """An article or profile showing the photo, named in errors."""
    src: str
    """Site path of the original file."""
    missing: tuple[Variant, ...]
    """Copies to make."""
    lead: bool
    """Whether it is the article's lead photo (else an image of its body)."""


def resize_photos(
    articles: Iterable[PhotoOwner], config: Config, progress: Progress
) -> list[tuple[PurePosixPath, Path]]:
    """Make the copies the cache lacks; (output path, cached file) for every copy."""
    copies: dict[PurePosixPath, Path] = {}
    jobs = []
    for article in articles:
        for photo in photos_of(article):
            new = {urls.file_for(v.url): v for v in _copies_of(photo)}
            new = {path: v for path, v in new.items() if path not in copies}
            copies.update((path, config.cache_dir / path) for path in new)
            missing = tuple(v for path, v in new.items() if not copies[path].is_file())
            if photo.src and missing:
                jobs.append(_Job(article, photo.src, missing, photo is article.photo))
    _run(jobs, config, progress)
    return sorted(copies.items())


def photos_of(article: PhotoOwner) -> tuple[Photo, ...]:
    """The lead photo, if any, then the images of the body."""
    return (article.photo, *article.images) if article.photo else tuple(article.images)


def photo_files(article: PhotoOwner) -> Iterator[str]:
    """The site's files of every size of the article's photos, body images included."""
    for photo in photos_of(article):
        for variant in (*photo.variants, *photo.webp_variants):
            yield urls.file_name(variant.url)


def _copies_of(photo: Photo) -> list[Variant]:
    """The files of `photo` that are made, not the original."""
    return [v for v in (*photo.variants, *photo.webp_variants) if v.url != photo.src]


def _run(jobs: list[_Job], config: Config, progress: Progress) -> None:
    if not jobs:
        return
    progress.start("Resizing photos", len(jobs))
    errors = []
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for error in pool.map(lambda job: _make(job, config), jobs):
            errors.extend(error)
            progress.advance()
    progress.finish()
    if errors:
        raise ContentErrors(errors)


def _make(job: _Job, config: Config) -> list[ContentError]:
    """Write the missing copies of one photo into the cache; an error if it cannot be decoded."""
    from PIL import Image

    try:
        with Image.open(_source_file(job.src, config)) as image:
            icc = image.info.get("icc_profile") if image.mode in _RGB_MODES else None
            upright = _prepared(image)
    except (*_UNREADABLE, Image.DecompressionBombError) as exc:
        problem = f"{unquote(job.src).lstrip('/')!r} could not be resized ({exc})"
        if job.lead:
            return [job.article.error("photo.src", problem)]
        return [job.article.error("body", f"image {problem}")]
    # Decoded: an OS error from here on is the cache's disk failing, not the photo.
    for variant in job.missing:
        size = (variant.width, variant.height)
        resized = upright if upright.size == size else _resized(upright, size)
        _save(resized, variant, config.cache_dir / urls.file_for(variant.url), icc)
    return []


def _prepared(image: Image.Image) -> Image.Image:
    """The first frame, upright, in RGB or RGBA, with no metadata left to copy."""
    if _orientation(image) != 1:
        from PIL import ImageOps

        image = ImageOps.exif_transpose(image)
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    converted = image.convert("RGBA" if alpha else "RGB")
    converted.info.clear()
    return converted


def _resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    from PIL import Image

    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _save(image: Image.Image, variant: Variant, target: Path, icc: bytes | None) -> None:
    """Encode `image` as `variant` at `target`, which appears whole or not at all."""
    options = dict(_ENCODER[variant.format])
    if icc:
        options["icc_profile"] = icc
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        image.save(partial, format=variant.format, **options)
        partial.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):  # the failure being reported matters, not this one
            partial.unlink(missing_ok=True)
        raise
