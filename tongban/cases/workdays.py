"""Working days (工作日): due dates and clocks for time limits.

A day is a working day by, in this order:

1. a ``HolidaySchedule`` row an administrator entered (holiday, or adjusted workday 调休上班):
   these win over the library, so a correction or a new year's schedule takes effect at once;
2. chinese-calendar, for the years it carries the State Council's schedule;
3. Monday to Friday, for a year the library lacks but an administrator has entered (rows for
   that year exist): the entered rows are its exceptions;
4. otherwise the year is **unknown**: counted Monday to Friday, and the result is flagged
   (``Due.provisional``, ``unknown_years``). ``due_date`` refuses such a result
   (``UnknownYear``, 422); ``due`` returns it flagged. Nothing is ever silently computed on
   weekends alone.

Counting starts on the day after ``start`` (the day of acceptance is not counted): with
0 working days the due date is ``start`` itself (即办).
"""

import datetime
from dataclasses import dataclass, field
from functools import cache

import chinese_calendar
from chinese_calendar import constants

from tongban.errors import InvalidInput

ONE_DAY = datetime.timedelta(days=1)
# A stop of the clock: working days d with start <= d < end do not count (end None: ongoing).
Stop = tuple[datetime.date, datetime.date | None]
MAX_WORKING_DAYS = 3650
# The dates the calendar answers for (outside them a count could run off the calendar).
FIRST_DAY = datetime.date(1990, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)


class UnknownYear(InvalidInput):
    code = "calendar_unknown"

    def __init__(self, years):
        self.years = sorted(years)
        shown = "、".join(f"{year}年" for year in self.years)
        super().__init__(
            f"{shown}的节假日安排尚未公布或尚未录入,无法准确计算工作日",
            f"The holiday schedule of {', '.join(map(str, self.years))} is not known yet",
            fields={"working_days": [f"{shown}节假日安排未录入 / schedule unknown"]},
        )


@dataclass(frozen=True)
class Due:
    date: datetime.date
    unknown_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.unknown_years)


@cache
def library_covers(year: int) -> bool:
    """Whether chinese-calendar carries the schedule of ``year``."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def library_year(year: int) -> dict[datetime.date, bool] | None:
    """The library's exceptions to Monday-to-Friday in ``year`` (holiday: False, adjusted
    workday: True), or ``None`` when it does not cover the year. Read once per process:
    chinese-calendar's own ``is_workday`` scans its whole table on every call."""
    if not library_covers(year):
        return None
    days = {day: False for day in constants.holidays if day.year == year}
    days.update({day: True for day in constants.workdays if day.year == year})
    return days


@dataclass
class Calendar:
    """Answers "is this a working day?", loading each year's entered rows once."""

    unknown: set[int] = field(default_factory=set)
    _entered: dict[int, dict[datetime.date, bool]] = field(default_factory=dict)

    def is_workday(self, day: datetime.date) -> bool:
        entered = self._year(day.year)
        if day in entered:
            return entered[day]
        library = library_year(day.year)
        if library is not None:
            return library.get(day, day.weekday() < 5)
        if not entered:
            self.unknown.add(day.year)
        return day.weekday() < 5

    def _year(self, year: int) -> dict[datetime.date, bool]:
        if year not in self._entered:
            from tongban.cases.models import HolidaySchedule

            rows = HolidaySchedule.objects.filter(year=year).values_list("date", "kind")
            workday = HolidaySchedule.Kind.WORKDAY
            self._entered[year] = {day: kind == workday for day, kind in rows}
        return self._entered[year]

    def add(self, start: datetime.date, working_days: int, stops=()) -> datetime.date:
        """The day on which ``working_days`` working days after ``start`` are used up."""
        _check_start(start)
        _check_count(working_days)
        if any(end is None for _begin, end in stops):
            raise ValueError("no due date while the clock is stopped")
        day, counted = start, 0
        while counted < working_days:
            day += ONE_DAY
            if self.is_workday(day) and not _stopped(day, stops):
                counted += 1
        return day

    def count(self, start: datetime.date, end: datetime.date, stops=()) -> int:
        """Working days in (start, end], leaving out the stopped ones."""
        day, counted = start, 0
        while day < end:
            day += ONE_DAY
            if self.is_workday(day) and not _stopped(day, stops):
                counted += 1
        return counted


def due(start: datetime.date, working_days: int, stops=()) -> Due:
    """The due date, flagged when it was reached through a year nobody has entered."""
    calendar = Calendar()
    day = calendar.add(start, working_days, stops)
    return Due(day, tuple(sorted(calendar.unknown)))


def due_date(start: datetime.date, working_days: int) -> datetime.date:
    """The due date, or ``UnknownYear`` when a year on the way is unknown."""
    found = due(start, working_days)
    if found.provisional:
        raise UnknownYear(found.unknown_years)
    return found.date


def working_days_between(start: datetime.date, end: datetime.date, stops=()) -> int:
    """Working days after ``start`` up to and including ``end``; ``UnknownYear`` as above."""
    calendar = Calendar()
    counted = calendar.count(start, end, stops)
    if calendar.unknown:
        raise UnknownYear(calendar.unknown)
    return counted


def is_workday(day: datetime.date) -> bool:
    calendar = Calendar()
    answer = calendar.is_workday(day)
    if calendar.unknown:
        raise UnknownYear(calendar.unknown)
    return answer


def _stopped(day: datetime.date, stops) -> bool:
    return any(begin <= day and (end is None or day < end) for begin, end in stops)


def _check_start(start: datetime.date) -> None:
    if not FIRST_DAY <= start <= LAST_DAY:
        raise InvalidInput(
            fields={"start": [f"日期应在 {FIRST_DAY} 至 {LAST_DAY} 之间 / out of range"]}
        )


def _check_count(working_days: int) -> None:
    if not 0 <= working_days <= MAX_WORKING_DAYS:
        raise InvalidInput(
            fields={
                "working_days": [
                    f"工作日数应在 0 到 {MAX_WORKING_DAYS} 之间 / 0 to {MAX_WORKING_DAYS}"
                ]
            }
        )
