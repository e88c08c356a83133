"""Dates as sources write them, into aware datetimes.

Two families: machine dates (ISO 8601 and its relatives: `2015-9-18 17:10`,
Jekyll's `2015-09-18 17:10:00 -0400`, RFC 822 from feeds) and the datelines
people print above stories (`Sep 18 2015, 5:10pm`, `Friday, September 18,
2015 at 5:10 PM`, `18 September 2015 17:10 GMT`). A time without an offset
takes the site's timezone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

_ZONE = r"(?P<zone>Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)"
_MACHINE = re.compile(
    r"^(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})"
    r"(?:[T ]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?"
    rf"\s*{_ZONE}?$",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_CLOCK = (
    r"(?:\s*(?:,|at|@|-|\u2013|\u2014|\u00b7|\|)?\s*"
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?::(?P<second>\d{2}))?"
    r"\s*(?P<half>[ap]\.?m\.?)?"
    rf"(?:\s*{_ZONE})?)?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_HUMAN = [
    re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}{_CLOCK}$", re.IGNORECASE),
    re.compile(rf"^{_WEEKDAY}{_DAY}\s+{_MONTH},?\s+{_YEAR}{_CLOCK}$", re.IGNORECASE),
]


def to_moment(value: object, zone: tzinfo) -> datetime | None:
    """`value` as an aware datetime; None when absent; ValueError when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=zone)
    if not isinstance(value, str):
        raise ValueError(f"expected a date, got {value!r}")
    moment = parse_date_text(value)
    if moment is None:
        raise ValueError(f"cannot read {value!r} as a date")
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def is_date_only(value: object) -> bool:
    """`value` names a day and no time of day (`2015-09-18`, a YAML date)."""
    if isinstance(value, str):
        match = _MACHINE.match(" ".join(value.split()))
        return match is not None and match["hour"] is None
    return isinstance(value, date) and not isinstance(value, datetime)


def parse_date_text(text: str) -> datetime | None:
    """A machine date, an RFC 822 date or a printed dateline; naive when it names no zone."""
    text = " ".join(text.split())
    match = _MACHINE.match(text)
    if match:
        return _assemble(match)
    return parse_dateline(text) or _rfc822(text)


def parse_dateline(text: str) -> datetime | None:
    """A dateline as printed above a story, or None when `text` is not one."""
    for pattern in _HUMAN:
        match = pattern.match(text.strip())
        if match and match["month"].lower() in _MONTHS:
            return _assemble(match)
    return None


def _assemble(match: re.Match[str]) -> datetime | None:
    parts = match.groupdict()
    month = parts["month"]
    hour = int(parts["hour"] or 0)
    half = (parts.get("half") or "").replace(".", "").lower()
    if parts["hour"] and not (parts["minute"] or half):
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    try:
        return datetime(
            int(parts["year"]),
            int(month) if month.isdigit() else _MONTHS[month.lower()],
            int(parts["day"]),
            hour,
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            tzinfo=_offset(parts["zone"]),
        )
    except ValueError:
        return None


def _offset(zone: str | None) -> tzinfo | None:
    if zone is None:
        return None
    if zone.upper() in ("Z", "UTC", "GMT"):
        return UTC
    hours, _, rest = zone[1:].partition(":")
    if not rest and len(hours) > 2:  # -0500
        hours, rest = hours[:-2], hours[-2:]
    minutes = int(hours) * 60 + int(rest or 0)
    return timezone(timedelta(minutes=-minutes if zone[0] == "-" else minutes))


def _rfc822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def fixed_offset(local: datetime, utc: datetime) -> datetime:
    """`local` carrying the offset between it and the same moment in UTC (WordPress dates)."""
    return local.replace(tzinfo=timezone(local - utc))
