"""Entering the State Council's holiday schedule for a year (国务院办公厅节假日安排通知).

The notice is published each November, before chinese-calendar knows the new year. An
administrator enters the year's holidays and adjusted workdays (调休上班) at once, as text
(``parse_dates``) or from an Excel sheet (``read_workbook``); ``enter_schedule`` replaces the
year's rows in one audited transaction and recomputes the due dates that were provisional.
"""

import datetime
import re

from django.db import transaction

from tongban.audit import services as audit
from tongban.cases.models import Case, HolidaySchedule
from tongban.core import clock, uploads
from tongban.errors import InvalidInput

Kind = HolidaySchedule.Kind
RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:~|至|—|--|到)\s*(\d{4}-\d{1,2}-\d{1,2})$")
RANGE_MARK = re.compile(r"\s*(~|至|—|--|到)\s*")
SEPARATORS = re.compile(r"[\s,,;;、]+")
MAX_RANGE_DAYS = 31
WORKBOOK_MAX_BYTES = 2 * 1024 * 1024  # a year of dates is a few kilobytes
HOLIDAY_WORDS = {"holiday", "放假", "休", "休息"}
WORKDAY_WORDS = {"workday", "上班", "班", "调休上班"}


def parse_dates(text: str, *, field: str = "dates") -> list[datetime.date]:
    """Dates from text: one per token, ``2027-02-06``, or a range ``2027-02-06~2027-02-12``
    (also 至). Separators: spaces, new lines, commas, semicolons, 、."""
    text = RANGE_MARK.sub(r"\1", text or "")
    days, bad = [], []
    for token in SEPARATORS.split(text.strip()):
        if token:
            found = _token_dates(token)
            bad.extend([] if found else [token])
            days.extend(found or [])
    if bad:
        raise InvalidInput(
            fields={field: [f"无法识别的日期:{'、'.join(bad)} / not a date (YYYY-MM-DD)"]}
        )
    return sorted(set(days))


def _token_dates(token: str) -> list[datetime.date] | None:
    match = RANGE.match(token)
    try:
        if not match:
            return [_date(token)]
        first, last = _date(match.group(1)), _date(match.group(2))
    except ValueError:
        return None
    if not 0 <= (last - first).days <= MAX_RANGE_DAYS:
        return None
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def _date(text: str) -> datetime.date:
    year, month, day = (int(part) for part in text.split("-"))
    return datetime.date(year, month, day)


def read_workbook(file) -> tuple[list[datetime.date], list[datetime.date]]:
    """(holidays, workdays) from the first sheet: a date column and a kind column
    (放假 / 上班, or holiday / workday); a header row is skipped."""
    from openpyxl import load_workbook

    # Type allow-list, size limit and content sniffing (tongban.core.uploads).
    problem = uploads.problem(file, kinds=("xlsx",), max_bytes=WORKBOOK_MAX_BYTES, label="Excel")
    if problem:
        raise InvalidInput(fields={"file": [problem]})
    try:
        sheet = load_workbook(file, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises several kinds for a file that is not xlsx
        raise InvalidInput(
            fields={"file": ["无法读取 Excel 文件(.xlsx) / not an xlsx file"]}
        ) from exc
    holidays, workdays, bad = [], [], []
    for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
        value, kind = [*row, None, None][:2]
        if value is None and kind is None:
            continue
        day = _cell_date(value)
        word = str(kind or "").strip().lower()
        if day is None or word not in HOLIDAY_WORDS | WORKDAY_WORDS:
            if number > 1:
                bad.append(str(number))
            continue
        (holidays if word in HOLIDAY_WORDS else workdays).append(day)
    if bad:
        rows = "、".join(bad)
        raise InvalidInput(fields={"file": [f"第 {rows} 行不是“日期 + 放假/上班” / bad rows"]})
    return sorted(holidays), sorted(workdays)


def _cell_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return _date(str(value).strip()[:10])
    except (ValueError, TypeError):
        return None


def enter_schedule(*, year: int, holidays, workdays, by, names: dict | None = None) -> int:
    """Replace ``year``'s entered schedule; returns how many provisional cases were
    recomputed. Every date must fall in ``year`` and be listed once."""
    _check(year, holidays, workdays)
    names = names or {}
    with transaction.atomic():
        before = HolidaySchedule.objects.filter(year=year).count()
        HolidaySchedule.objects.filter(year=year).delete()
        now = clock.now()
        rows = [
            HolidaySchedule(
                year=year,
                date=day,
                kind=kind,
                name=names.get(day, ""),
                entered_by=by,
                entered_at=now,
            )
            for kind, days in ((Kind.HOLIDAY, holidays), (Kind.WORKDAY, workdays))
            for day in days
        ]
        HolidaySchedule.objects.bulk_create(rows)
        audit.record(
            by,
            "cases.holiday_schedule.enter",
            object_type="cases.holidayschedule",
            object_id=str(year),
            object_repr=f"{year}年节假日安排",
            changes={
                "rows": [before, len(rows)],
                "holidays": [d.isoformat() for d in holidays],
                "workdays": [d.isoformat() for d in workdays],
            },
        )
        return refresh_provisional()


def _check(year: int, holidays, workdays) -> None:
    errors = {}
    for field, days in (("holidays", holidays), ("workdays", workdays)):
        outside = [d.isoformat() for d in days if d.year != year]
        if outside:
            errors[field] = [f"不属于{year}年:{'、'.join(outside)} / not in {year}"]
    both = sorted(set(holidays) & set(workdays))
    if both:
        shown = "、".join(d.isoformat() for d in both)
        errors.setdefault("workdays", []).append(f"同一天既放假又上班:{shown} / listed twice")
    if not holidays:
        errors.setdefault("holidays", []).append("请录入放假日期 / the holidays are required")
    if errors:
        raise InvalidInput(fields=errors)


def refresh_provisional() -> int:
    """Recompute the due dates flagged provisional (after a new schedule is entered)."""
    from tongban.cases import clocks

    changed = 0
    for case in Case.objects.filter(due_provisional=True).select_related("guide"):
        clocks.refresh_due_dates(case)
        case.save(update_fields=["promised_due", "statutory_due", "due_provisional"])
        changed += 1
    return changed
