"""Structured opening hours in the schema.org ``openingHours`` syntax and "open now".

A service has zero or more ``schema:openingHours`` values, each like ``"Mo-Fr 09:00-12:00"``,
``"Mo,We 14:00-16:00"`` or ``"Tu 09:00-12:00,13:00-15:30"``. Day codes: Mo Tu We Th Fr Sa Su.
A closing time earlier than the opening time means the range ends after midnight.
No hours means: not known – never "closed".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from kik_graph.terms import InvalidInput, shorten

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
#: The time zone of Kempten; "open now" is evaluated there.
TIMEZONE = ZoneInfo("Europe/Berlin")
_SPEC = re.compile(r"^\s*(?P<days>[A-Za-z]{2}(?:\s*[-,]\s*[A-Za-z]{2})*)\s+(?P<times>\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}"
                   r"(?:\s*,\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2})*)\s*$")
#: The SHACL pattern for one ``schema:openingHours`` value (kept in sync with ontology/shapes.ttl).
PATTERN = r"^(Mo|Tu|We|Th|Fr|Sa|Su)([-,](Mo|Tu|We|Th|Fr|Sa|Su))* ([01][0-9]|2[0-4]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9](,([01][0-9]|2[0-4]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9])*$"


@dataclass(frozen=True)
class OpeningSpan:
    """One opening span: a day (0 = Monday) and opening/closing times."""

    day: int
    opens: time
    closes: time

    def contains(self, moment: datetime) -> bool:
        """True when ``moment`` (local time) lies within this span (including spans past midnight)."""
        now = moment.time().replace(second=0, microsecond=0)
        weekday = moment.weekday()
        if self.opens < self.closes or self.closes == time(0, 0):
            end_ok = self.closes == time(0, 0) or now < self.closes
            return weekday == self.day and self.opens <= now and end_ok
        # past midnight: Mo 20:00-02:00 is open Mo 20:00-24:00 and Tu 00:00-02:00
        return (weekday == self.day and now >= self.opens) or (weekday == (self.day + 1) % 7 and now < self.closes)


def _time(text: str, value: str) -> time:
    hours, minutes = (int(x) for x in text.split(":"))
    if hours == 24 and minutes == 0:
        return time(0, 0)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise InvalidInput(f"Öffnungszeiten: {shorten(value)!r} enthält die ungültige Uhrzeit {text!r}.")
    return time(hours, minutes)


def _days(text: str, value: str) -> list[int]:
    result: list[int] = []
    for part in re.split(r"\s*,\s*", text.strip()):
        ends = [d.strip().capitalize() for d in part.split("-")]
        for day in ends:
            if day not in DAYS:
                raise InvalidInput(f"Öffnungszeiten: {shorten(value)!r}: {day!r} ist kein Tageskürzel "
                                   f"({' '.join(DAYS)}).")
        if len(ends) == 1:
            result.append(DAYS.index(ends[0]))
        else:
            start, end = DAYS.index(ends[0]), DAYS.index(ends[-1])
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
            result.extend(span)
    return sorted(set(result))


def parse(value: str) -> list[OpeningSpan]:
    """Parse one ``openingHours`` value into spans; raise :class:`InvalidInput` with the reason."""
    match = _SPEC.match(value or "")
    if not match:
        raise InvalidInput(f"Öffnungszeiten: {shorten(value or '')!r} hat nicht die Form „Mo-Fr 09:00-12:00“.")
    spans = []
    for day in _days(match.group("days"), value):
        for pair in re.split(r"\s*,\s*", match.group("times")):
            start, end = (p.strip() for p in pair.split("-"))
            opens, closes = _time(start, value), _time(end, value)
            if opens == closes:
                raise InvalidInput(f"Öffnungszeiten: {shorten(value)!r}: Beginn und Ende sind gleich.")
            spans.append(OpeningSpan(day, opens, closes))
    return spans


def normalise(value: str) -> str:
    """The canonical spelling of one value (``mo - fr 9:00-12:00`` → ``Mo-Fr 09:00-12:00``); validates it."""
    parse(value)
    match = _SPEC.match(value)
    days = re.sub(r"\s+", "", match.group("days"))
    days = "-".join(",".join(d.capitalize() for d in part.split(",")) for part in days.split("-"))
    times = ",".join("-".join(f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}" for t in pair.split("-"))
                     for pair in re.sub(r"\s+", "", match.group("times")).split(","))
    return f"{days} {times}"


def is_open(values: list[str], moment: datetime | None = None) -> bool | None:
    """Whether a service with these ``openingHours`` values is open at ``moment`` (default: now in Kempten).

    Returns None when no hours are known (or none can be read) – unknown is never reported as closed.
    """
    spans: list[OpeningSpan] = []
    for value in values:
        try:
            spans.extend(parse(value))
        except InvalidInput:
            continue
    if not spans:
        return None
    moment = (moment or datetime.now(TIMEZONE))
    if moment.tzinfo is not None:
        moment = moment.astimezone(TIMEZONE)
    return any(span.contains(moment) for span in spans)


#: Day names for display, per UI language (Monday first).
DAY_NAMES: dict[str, tuple[str, ...]] = {
    "de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
    "de-x-ls": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "tr": ("Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    "fa": ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"),
    "uk": ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Нд"),
    "ru": ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"),
}


def describe(value: str, lang: str = "de") -> str:
    """One value for display with localised day names, e.g. ``Mo–Fr 09:00–12:00`` (unreadable values as given)."""
    try:
        spans = parse(value)
    except InvalidInput:
        return value
    names = DAY_NAMES.get(lang, DAY_NAMES["de"])
    days = sorted({s.day for s in spans})
    times = sorted({(s.opens, s.closes) for s in spans})
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        day_text = f"{names[days[0]]}–{names[days[-1]]}"
    else:
        day_text = ", ".join(names[d] for d in days)
    time_text = ", ".join(f"{o:%H:%M}–{'24:00' if c == time(0, 0) else format(c, '%H:%M')}" for o, c in times)
    return f"{day_text} {time_text}"
