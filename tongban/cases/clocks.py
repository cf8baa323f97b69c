"""A case's time limits: due dates, days used and days left, in working days.

The limit is the guide's promised days (承诺时限) plus every extension an approver granted;
the statutory due date uses the statutory days (法定时限) plus the same extensions. Both run
from the day after acceptance. A suspension (挂起) stops the clock: the working days from the
day it starts up to the day before it ends are not counted, and while it lasts the days used
stay where they were.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from tongban.cases import workdays
from tongban.core import clock as platform_clock


@dataclass(frozen=True)
class CaseClock:
    limit_days: int | None
    used: int
    left: int | None
    promised_due: datetime.date | None
    statutory_due: datetime.date | None
    running: bool
    provisional: bool
    unknown_years: tuple[int, ...] = ()

    @property
    def overdue(self) -> bool:
        return self.left is not None and self.left < 0


def stops_of(case) -> list[workdays.Stop]:
    return [(s.started_on, s.ended_on) for s in case.suspensions.all()]


def limits(case) -> tuple[int | None, int | None]:
    """(promised, statutory) working days including extensions; ``None`` where the guide has
    no such limit."""
    guide = case.guide
    promised = guide.promised_days
    statutory = guide.statutory_days
    extra = case.extension_days
    return (
        None if promised is None else promised + extra,
        None if statutory is None else statutory + extra,
    )


def refresh_due_dates(case) -> None:
    """Recompute the stored due dates (after acceptance, resume, extension, a new schedule).

    Leaves them as they are while a suspension is open: the due date is unknown then.
    """
    if case.accepted_on is None:
        return
    stops = stops_of(case)
    if any(end is None for _start, end in stops):
        return
    promised, statutory = limits(case)
    unknown: set[int] = set()
    case.promised_due = _due(case.accepted_on, promised, stops, unknown)
    case.statutory_due = _due(case.accepted_on, statutory, stops, unknown)
    case.due_provisional = bool(unknown)


def _due(start, days, stops, unknown: set[int]):
    if days is None:
        return None
    found = workdays.due(start, days, stops)
    unknown.update(found.unknown_years)
    return found.date


def clock_of(case, today: datetime.date | None = None, *, calendar=None) -> CaseClock:
    """Days used and left on ``today`` (the platform's today by default). ``calendar``: one
    ``workdays.Calendar`` shared by the rows of a list, so each year's schedule is read once
    (the clock's ``unknown_years`` then cover every case counted with it)."""
    promised, _statutory = limits(case)
    if case.accepted_on is None:
        return CaseClock(promised, 0, promised, None, None, False, False)
    today = today or platform_clock.today()
    end = today
    if case.concluded_at is not None:
        end = min(end, timezone.localdate(case.concluded_at))
    stops = stops_of(case)
    calendar = calendar or workdays.Calendar()
    used = calendar.count(case.accepted_on, end, stops) if end > case.accepted_on else 0
    suspended = any(stop_end is None for _start, stop_end in stops)
    unknown = tuple(sorted(calendar.unknown | _due_years(case)))
    return CaseClock(
        limit_days=promised,
        used=used,
        left=None if promised is None else promised - used,
        promised_due=case.promised_due,
        statutory_due=case.statutory_due,
        running=not suspended and case.concluded_at is None,
        provisional=bool(unknown),
        unknown_years=unknown,
    )


def _due_years(case) -> set[int]:
    if not case.due_provisional:
        return set()
    return {d.year for d in (case.promised_due, case.statutory_due) if d}
