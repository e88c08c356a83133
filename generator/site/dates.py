"""Dates and times as a reader of the site's language expects them.

English sites write AP style ("Sept. 18, 2015", "5:10 p.m. EDT"); other languages,
or `date_style = "long"`, take the long date and short time of their CLDR locale
through Babel ("18 septembre 2015", "17:10"); `"iso"` writes 2015-09-18 17:10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from babel import Locale

_AP_MONTHS = (
    "Jan.", "Feb.", "March", "April", "May", "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip
_FULL_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ABBREVIATION = re.compile(r"[A-Z]{2,5}")


@cache
def babel_locale(language: str) -> Locale:
    """The CLDR locale of a BCP 47 tag, else of its language alone, else English."""
    from babel import Locale, UnknownLocaleError  # 40 ms: only sites not in AP style

    for tag in (language, language.split("-")[0]):
        try:
            return Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale("en")


@dataclass(frozen=True, slots=True)
class DateWriter:
    """How one site writes dates; `style` is one of config.DATE_STYLES but "auto"."""

    style: str
    language: str
    """A BCP 47 tag."""
    zone: ZoneInfo
    """The site's zone: a time whose offset is the zone's is named by it ("EDT")."""

    @classmethod
    def of(cls, date_style: str, language: str, zone: ZoneInfo) -> DateWriter:
        if date_style == "auto":
            date_style = "ap" if language.split("-")[0].lower() == "en" else "long"
        return cls(date_style, language, zone)

    def day(self, when: date) -> str:
        """'Sept. 18, 2015' (AP), '18 septembre 2015' (long), '2015-09-18' (iso)."""
        if self.style == "ap":
            return f"{_AP_MONTHS[when.month - 1]} {when.day}, {when.year}"
        if self.style == "iso":
            return f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
        from babel.dates import format_date

        return format_date(when, "long", locale=babel_locale(self.language))

    def month(self, when: date) -> str:
        """'September 2015' (AP spells out a month without a day), 'septembre 2015'."""
        if self.style == "ap":
            return f"{_FULL_MONTHS[when.month - 1]} {when.year}"
        if self.style == "iso":
            return f"{when.year:04d}-{when.month:02d}"
        from babel.dates import format_skeleton

        return format_skeleton("yMMMM", when, locale=babel_locale(self.language))

    def time(self, when: datetime) -> str:
        """'5:10 p.m. EDT', 'noon' (AP), '17:10 UTC+2' (long), '17:10 +02:00' (iso)."""
        zone = self._zone_name(when)
        if self.style == "ap":
            clock = _ap_clock(when)
        elif self.style == "iso":
            return f"{when.hour:02d}:{when.minute:02d} {when.isoformat()[-6:]}"
        else:
            from babel.dates import format_time

            clock = format_time(when, "short", locale=babel_locale(self.language))
        return f"{clock} {zone}".rstrip()

    def _zone_name(self, when: datetime) -> str:
        """The zone's abbreviation when the time is in the site's zone and one is
        known (EDT, CEST), else its offset from UTC (UTC+3, UTC-5:30 with a minus sign)."""
        offset = when.utcoffset() or timedelta()
        local = when.astimezone(self.zone)
        if local.utcoffset() == offset:
            name = local.tzname() or ""
            if _ABBREVIATION.fullmatch(name):
                return name
        return _utc_offset(offset)


def _ap_clock(when: datetime) -> str:
    if when.minute == 0 and when.hour in (0, 12):
        return "midnight" if when.hour == 0 else "noon"
    hour = when.hour % 12 or 12
    minutes = f":{when.minute:02d}" if when.minute else ""
    return f"{hour}{minutes} {'a.m.' if when.hour < 12 else 'p.m.'}"


def _utc_offset(offset: timedelta) -> str:
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
