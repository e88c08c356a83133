"""What an import did, file by file, and the summary printed at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .story import MissingImage

Status = Literal["imported", "unchanged", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one story, or of one input that gave none."""

    source: str
    """The input file, and the item number within it for feeds and exports."""
    status: Status
    """imported (or would be, in a dry run), unchanged, skipped or failed."""
    detail: str
    """The file written or found identical; for skipped and failed, the reason."""
    warnings: tuple[str, ...] = ()
    """What the user should look at in the file written."""
    default_byline: bool = False
    """The story named no author and got the default byline."""
    placeholders: tuple[str, ...] = ()
    """Name of each template tag or shortcode the body shows as a placeholder."""
    html: bool = False
    """The body carries HTML."""
    images_copied: int = 0
    """Images of the old site copied beside the story (or that would be, in a dry run)."""
    missing_images: tuple[MissingImage, ...] = ()
    """Local images the story names that the old site does not hold."""
    links_rewritten: int = 0
    """Links to paths the archive does not hold, now absolute on the old site."""
    old_urls: tuple[str, ...] = ()
    """The paths the old site gave the story: its new URL or aliases of it."""

    def lines(self, dry_run: bool) -> list[str]:
        if self.status in ("skipped", "failed"):
            first = f"{self.status:<11} {self.source}: {self.detail}"
        else:
            label = "would write" if dry_run and self.status == "imported" else self.status
            first = f"{label:<11} {self.detail}  (from {self.source})"
        return [first, *(f"{'':<11} warning: {warning}" for warning in self.warnings)]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Every outcome of one `folio import`, in input order."""

    outcomes: tuple[Outcome, ...]
    """One per story or refused input."""
    dry_run: bool
    """Nothing was written."""
    default_byline: str
    """The byline given to stories that named no author."""
    html_shown_as_text: bool
    """The site's `[markdown] html = false` will show the HTML some bodies carry as text."""
    settings: tuple[str, ...] = ()
    """What folio.toml took, or kept, of the old site's configuration."""
    written_to: str = ""
    """Where the report was written as JSON, if it was."""
    profiles: tuple[str, ...] = ()
    """The author profiles written (or, in a dry run, that would be)."""

    @property
    def failed(self) -> bool:
        return any(outcome.status == "failed" for outcome in self.outcomes)

    def count(self, status: Status) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    def __str__(self) -> str:
        lines = [line for outcome in self.outcomes for line in outcome.lines(self.dry_run)]
        written = [f"The report as JSON: {self.written_to}"] if self.written_to else []
        return "\n".join([*lines, *self.settings, *self.profiles, *self.notes(), *written,
                          self.summary()])

    def notes(self) -> list[str]:
        notes = []
        defaulted = sum(outcome.default_byline for outcome in self.outcomes)
        if defaulted:
            notes.append(
                f"Note: {_stories(defaulted)} named no author and got the byline "
                f"{self.default_byline!r} (--default-byline)."
            )
        placeholders = Counter(name for outcome in self.outcomes for name in outcome.placeholders)
        if placeholders:
            stories = sum(bool(outcome.placeholders) for outcome in self.outcomes)
            names = ", ".join(f"{name} ({count})" for name, count in placeholders.most_common())
            notes.append(
                f"Warning: {placeholders.total()} template tag(s) or shortcode(s) the import "
                f"cannot translate show as a placeholder in {_stories(stories)}: {names}; "
                "replace them by hand."
            )
        rewritten = sum(outcome.links_rewritten for outcome in self.outcomes)
        if rewritten:
            stories = sum(bool(outcome.links_rewritten) for outcome in self.outcomes)
            notes.append(
                f"Note: {rewritten} link(s) in {_stories(stories)} to paths the archive does not "
                "hold now point at the old site (their address made absolute)."
            )
        kept = _warned(self.outcomes, LINK_NOT_ANSWERED)
        if kept:
            notes.append(
                f"Warning: {len(kept)} link(s) to paths the archive does not hold are left as "
                "they were, as the old site's address is not known: `folio check` and the build "
                "will report them. Give it with --source-base-url, or list the paths under "
                "[links] outside in folio.toml."
            )
        html = sum(outcome.html for outcome in self.outcomes
                   if outcome.status in ("imported", "unchanged"))
        notes += self._image_notes()
        if self.html_shown_as_text and html:
            notes.append(
                f"Note: the bodies of {_stories(html)} hold HTML; set `html = true` under "
                "[markdown] in folio.toml to render it (it is shown as text now)."
            )
        return notes

    def _image_notes(self) -> list[str]:
        copied = sum(outcome.images_copied for outcome in self.outcomes)
        missing = [outcome for outcome in self.outcomes if outcome.missing_images]
        verb = "would be copied" if self.dry_run else "copied"
        notes = [f"Note: {copied} image(s) of the old site {verb} beside their stories."] \
            if copied else []
        if missing:
            count = sum(len(outcome.missing_images) for outcome in missing)
            notes.append(
                f"Warning: {count} local image(s) named by {_stories(len(missing))} are not in "
                "the old site's folders (see the warnings above); copy them in by hand. Until "
                "then a body image is shown from the old site's address, when it is known."
            )
        return notes

    def as_json(self) -> dict[str, Any]:
        """The report as `folio import --report` writes it: counts, every outcome with its
        warnings, placeholders by name, the old URLs and photos the import could not carry, the
        images copied and those missing."""
        statuses: tuple[Status, ...] = ("imported", "unchanged", "skipped", "failed")
        return {
            "dry_run": self.dry_run,
            "counts": {status: self.count(status) for status in statuses},
            "placeholders": dict(Counter(
                name for outcome in self.outcomes for name in outcome.placeholders
            ).most_common()),
            "old_urls_not_computed": _warned(self.outcomes, OLD_URL_NOT_COMPUTED),
            "photos_not_imported": _warned(self.outcomes, "photo: "),
            "images": {
                "copied": sum(outcome.images_copied for outcome in self.outcomes),
                "missing": [
                    {"source": outcome.source, "field": image.field, "path": image.reference,
                     "looked_for": list(image.looked_for)}
                    for outcome in self.outcomes for image in outcome.missing_images
                ],
            },
            "links_rewritten": sum(outcome.links_rewritten for outcome in self.outcomes),
            "links_not_rewritten": [
                {"file": outcome.detail, **entry}
                for outcome in self.outcomes for entry in _warned((outcome,), LINK_NOT_ANSWERED)
            ],
            "settings": list(self.settings),
            "profiles_written": len(self.profiles),
            "profiles": list(self.profiles),
            "outcomes": [asdict(outcome) for outcome in self.outcomes],
        }

    def summary(self) -> str:
        statuses: tuple[Status, ...] = ("imported", "unchanged", "skipped", "failed")
        words = {"imported": "to import"} if self.dry_run else {}
        counts = ", ".join(
            f"{self.count(status)} {words.get(status, status)}" for status in statuses
        )
        return f"Dry run, nothing written: {counts}." if self.dry_run else f"{counts.capitalize()}."


OLD_URL_NOT_COMPUTED = "old URL not computed: "
"""How the warning of a story whose old URL the import could not work out begins."""


LINK_NOT_ANSWERED = "link outside the archive: "
"""How the warning of a link the archive does not answer, left as it was, begins."""


def _warned(outcomes: tuple[Outcome, ...], prefix: str) -> list[dict[str, str]]:
    return [{"source": outcome.source, "warning": warning.removeprefix(prefix)}
            for outcome in outcomes for warning in outcome.warnings
            if warning.startswith(prefix)]


def _stories(count: int) -> str:
    return f"{count} {'story' if count == 1 else 'stories'}"
