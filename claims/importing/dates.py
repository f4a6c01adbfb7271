"""Dates as fact-checkers write them, read only where their meaning is clear.

Accepted: ISO 8601 dates and date-times, with or without time and zone, padded or not
(``2021-7-16``, ``2021-07-16T9:05:00+05:30``); English month names (``July 16, 2021``,
``16 July 2021``, ``Jul. 16 2021``); numeric day/month/year dates (``16/07/2021``,
``16.07.2021``) when the order is certain: given by ``day_first`` (the import's
``--day-first`` / ``--month-first``), or because one of the first two numbers is over
12. Anything else is refused by :func:`parse_moment` naming the field: a numeric date
whose order is a guess is ambiguous, never read either way.

A claim's date (:func:`parse_claim_date`) is more forgiving, because the model keeps
wording: a year (``2021``), a month (``July 2021``) or free text (``mid-July``) goes to
``made_on_text`` as given.
"""

import re
from contextlib import suppress
from datetime import UTC, date, datetime

from django.utils.dateparse import parse_datetime

from .summary import RecordError
from .values import clean_text

MADE_ON_TEXT_LIMIT = 100
ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:(?:T|\s+)(?P<h>\d{1,2})(?P<rest>:\d{2}.*))?")
NUMERIC = re.compile(r"(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4})")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?"
NAMED = [
    re.compile(rf"(?:[A-Za-z]+,?\s+)?{_MONTH}\s+{_DAY},?\s+(?P<year>\d{{4}})", re.IGNORECASE),
    re.compile(rf"(?:[A-Za-z]+,?\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})", re.IGNORECASE),
]
ZONE = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)


class Ambiguous(RecordError):
    """A date whose reading would be a guess (day or month first?)."""


def _calendar(year: int, month: int, day: int, text: str, what: str) -> datetime:
    try:
        return datetime(year, month, day)
    except ValueError as error:
        raise RecordError(f"{what} is not a date: {text!r}") from error


def _numeric(match: re.Match, text: str, what: str, day_first: bool | None) -> datetime:
    first, second, year = int(match["a"]), int(match["b"]), int(match["y"])
    if day_first is None:
        if first > 12 >= second:
            day_first = True
        elif second > 12 >= first:
            day_first = False
        elif first != second:
            raise Ambiguous(
                f"{what} is not a date to read for sure: {text!r} is ambiguous (day or month first?); "
                "say which with --day-first or --month-first"
            )
        else:
            day_first = True  # 03/03/2021: the same either way
    day, month = (first, second) if day_first else (second, first)
    return _calendar(year, month, day, text, what)


def _read(text: str, what: str, day_first: bool | None) -> datetime | None:
    """The moment ``text`` names, or None when it is no date this module reads."""
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        with suppress(ValueError):  # ISO 8601 as most feeds write it, read in C
            return datetime.fromisoformat(text)
    if match := ISO.fullmatch(text):
        if match["h"] is None:
            return _calendar(int(match["y"]), int(match["m"]), int(match["d"]), text, what)
        padded = f"{match['y']}-{int(match['m']):02d}-{int(match['d']):02d}T{int(match['h']):02d}{match['rest']}"
        try:
            moment = parse_datetime(padded.replace(" ", ""))
        except ValueError as error:
            raise RecordError(f"{what} is not a date: {text!r}") from error
        if moment is None:
            raise RecordError(f"{what} is not a date: {text!r}")
        return moment
    if match := NUMERIC.fullmatch(text):
        return _numeric(match, text, what, day_first)
    for pattern in NAMED:
        if (match := pattern.fullmatch(text)) and match["month"].lower() in MONTHS:
            return _calendar(int(match["year"]), MONTHS[match["month"].lower()], int(match["day"]), text, what)
    return None


def parse_moment(value, what: str, *, day_first: bool | None = None) -> datetime | None:
    """The moment a review gives (aware: UTC when it names no zone); RecordError if unreadable."""
    text = clean_text(value, what)
    if not text:
        return None
    moment = _read(text, what, day_first)
    if moment is None:
        raise RecordError(f"{what} is not a date: {text!r}")
    if moment.utcoffset() is None:  # naive
        moment = moment.replace(tzinfo=UTC)
    if not 1000 <= moment.year <= 9998:
        raise RecordError(f"{what} is out of range: {text!r}")
    return moment


def given_offset(value, moment: datetime | None) -> int | None:
    """The UTC offset in minutes that ``value`` states with its time of day, else None."""
    match = ISO.fullmatch(clean_text(value))
    if moment is None or match is None or match["h"] is None or not ZONE.search(match["rest"]):
        return None
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else None


def parse_day(value, what: str, *, day_first: bool | None = None) -> date | None:
    if value.__class__ is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        with suppress(ValueError):  # 2021-07-16, as most feeds write a day, read in C
            day = date.fromisoformat(value)
            if not 1000 <= day.year <= 9998:
                raise RecordError(f"{what} is out of range: {value!r}")
            return day
    moment = parse_moment(value, what, day_first=day_first)
    return moment.date() if moment else None


def parse_claim_date(value, what: str, *, day_first: bool | None = None) -> tuple[date | None, str]:
    """(date, wording): a full date, or the source's wording when it names less (``2021``).

    What looks like a date but is not one (``2021-02-30``) or is ambiguous is refused.
    """
    text = clean_text(value, what)
    if not text:
        return None, ""
    if _read(text, what, day_first) is not None:
        return parse_day(text, what, day_first=day_first), ""
    if len(text) > MADE_ON_TEXT_LIMIT:
        raise RecordError(
            f"{what} is neither a date nor a wording of one ({len(text)} characters; "
            f"the most kept is {MADE_ON_TEXT_LIMIT})"
        )
    return None, text
